// The `eventyard` command behind Node's compile cache (bin/eventyard.js): its first run fills the cache,
// the next finds every TypeScript file there (so the type stripper is never loaded), the processes it
// starts inherit the cache, and NODE_DISABLE_COMPILE_CACHE or an unusable directory leave it off
// without breaking the command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin');

/** Runs `file` on this Node with exactly `env` (and PATH); resolves with its stdout and stderr. */
async function run(file: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [file, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
}

/** Lines of NODE_DEBUG_NATIVE=COMPILE_CACHE output saying a TypeScript file was compiled without the cache. */
function strippedWithoutCache(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes('no transpile cache for StrippedTypeScript'));
}

test('the first run fills the cache; the next strips no TypeScript file itself', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-compile-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cache = join(dir, 'cache');
  const first = await run(join(BIN, 'eventyard.js'), ['--help'], { NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  assert.ok(strippedWithoutCache(first.stderr).length > 0, 'a cold cache compiles the files');
  assert.ok((await readdir(cache)).length > 0, 'the cache directory was filled');

  const second = await run(join(BIN, 'eventyard.js'), ['--help'], { NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  assert.deepEqual(strippedWithoutCache(second.stderr), []);
  assert.match(second.stderr, /retrieving transpile cache for StrippedTypeScript .*main\.ts.*success/);
  assert.equal(second.stdout, first.stdout);
});

test('the processes it starts get the same cache directory, absolute', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-compile-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // What `eventyard dev` does: enable, then start a child with the environment.
  const probe = join(dir, 'probe.mjs');
  await writeFile(
    probe,
    `import { execFileSync } from 'node:child_process';
import { enableEventyardCompileCache } from ${JSON.stringify(join(BIN, 'compile-cache.js'))};
const dir = enableEventyardCompileCache();
const child = execFileSync(process.execPath, ['-e', 'console.log(process.env.NODE_COMPILE_CACHE)'], { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ dir, child }));
`,
  );
  const { stdout } = await execFileAsync(process.execPath, [probe], { cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: 'relative-cache' } });
  const { dir: enabled, child } = JSON.parse(stdout) as { dir: string; child: string };
  assert.equal(enabled, join(dir, 'relative-cache'));
  assert.equal(child, enabled);
});

test('NODE_DISABLE_COMPILE_CACHE=1 or a directory that cannot be made: the command runs without a cache', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-compile-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const off = await run(join(BIN, 'eventyard.js'), ['--help'], { NODE_COMPILE_CACHE: join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.match(off.stdout, /^Usage: eventyard/);
  assert.deepEqual(await readdir(dir), []);

  const blocker = join(dir, 'a-file');
  await writeFile(blocker, '');
  const unusable = await run(join(BIN, 'eventyard.js'), ['--help'], { NODE_COMPILE_CACHE: join(blocker, 'cache') });
  assert.equal(unusable.stdout, off.stdout);
});
