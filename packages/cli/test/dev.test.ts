// `eventyard dev` when embedded Postgres cannot start: one line on stderr and exit code 1, not a stack
// dump, an unhandled 'error' event from a spawned child, or a process that never ends.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { findFreePort } from '@eventyard/db';
import { freePortOffset, runCli } from './fixture.ts';

async function openTempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-cli-dev-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.chmod(dir, 0o755); // the postgres user (when run as root) must reach the data dir
  return dir;
}

/**
 * Runs `eventyard dev` with the given extra flags; its data under a fresh dir, its broker and services on
 * free ports (dev checks them all before it starts Postgres: a stack running on the defaults must not
 * answer for the Postgres failures tested here).
 */
async function runDev(t: TestContext, flags: string[]): Promise<{ code: number; lines: string[] }> {
  const dataDir = await openTempDir(t);
  const [pg, kafka] = [await findFreePort(), await findFreePort()];
  const ports = ['--pg-port', String(pg), '--kafka-port', String(kafka), '--port-offset', String(await freePortOffset([pg, kafka]))];
  const started = Date.now();
  const result = await runCli(['dev', '--data-dir', dataDir, ...ports, ...flags]);
  assert.ok(Date.now() - started < 60_000, 'ends promptly');
  return { code: result.code, lines: result.stderr.split('\n').filter((line) => line !== '') };
}

test('an installation whose initdb cannot be spawned: one line, exit 1', async (t) => {
  const installDir = path.join(await openTempDir(t), 'install');
  await fs.mkdir(path.join(installDir, 'bin'), { recursive: true });
  for (const name of ['initdb', 'postgres']) {
    // Executable, but its interpreter does not exist: spawn fails with ENOENT.
    await fs.writeFile(path.join(installDir, 'bin', name), '#!/nonexistent/interpreter\n', { mode: 0o755 });
  }
  const { code, lines } = await runDev(t, ['--pg-install-dir', installDir]);
  assert.equal(code, 1);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0] ?? '', /^embedded postgres: initdb failed in .*: could not run .*\/bin\/initdb: spawn .*ENOENT$/);
});

test('an installation without binaries: one line naming the missing file, exit 1', async (t) => {
  const installDir = await openTempDir(t);
  const { code, lines } = await runDev(t, ['--pg-install-dir', installDir]);
  assert.equal(code, 1);
  assert.deepEqual(lines, [
    `embedded postgres: ${installDir}/bin/initdb does not exist (expected a PostgreSQL installation with bin/initdb and bin/postgres in ${installDir})`,
  ]);
});
