// The committed types in src/generated/ must be what scripts/generate.ts produces from the current
// .proto files: a .proto edit without `pnpm --filter @eventyard/proto generate` fails here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PROTO_DIR } from '../src/index.ts';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

test('src/generated is up to date with the .proto files', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'eventyard-proto-gen-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [path.join(PROTO_DIR, 'scripts', 'generate.ts'), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });

  const committedDir = path.join(PROTO_DIR, 'src', 'generated');
  const fresh = await listFiles(out);
  assert.deepEqual(await listFiles(committedDir), fresh, 'same files (run `pnpm --filter @eventyard/proto generate`)');
  for (const file of fresh) {
    const [a, b] = await Promise.all([readFile(path.join(committedDir, file), 'utf8'), readFile(path.join(out, file), 'utf8')]);
    assert.equal(a, b, `${file} is stale (run \`pnpm --filter @eventyard/proto generate\`)`);
  }
});
