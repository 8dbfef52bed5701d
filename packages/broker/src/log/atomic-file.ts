// Crash-safe small-file replacement (topic metadata, checkpoints, snapshots): write a temp file,
// fsync it, rename it over the target, fsync the directory. After kill -9 or power loss a reader sees
// either the old or the new content, never a torn mix.
import { open, rename } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDirectory(path.dirname(file));
}

/** Makes a rename, create or unlink in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
