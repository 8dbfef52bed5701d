import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@eventyard/db';

type Defer = (cleanup: () => unknown) => void;

/** Cleanups run newest first (t.after runs hooks in registration order): servers stop before dirs go. */
function deferrer(t: TestContext): Defer {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of stack.reverse()) await cleanup();
  });
  return (cleanup) => void stack.push(cleanup);
}

async function tempDir(defer: Defer): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-pg-test-'));
  defer(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.chmod(dir, 0o755); // mkdtemp makes it 0700: the postgres user could not pass through
  return dir;
}

async function start(defer: Defer, dataDir: string): Promise<EmbeddedPostgresHandle> {
  const server = await startEmbeddedPostgres({ dataDir });
  defer(() => server.stop());
  return server;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('starts real PostgreSQL, as the postgres user when run as root, in a data dir whose parents it creates', async (t) => {
  const defer = deferrer(t);
  const dataDir = path.join(await tempDir(defer), 'nested', 'pg');
  const server = await start(defer, dataDir);
  const rows = await query<{ current_user: string; version: string }>(server.url, 'select current_user, version()');
  assert.equal(rows[0]?.current_user, 'postgres');
  assert.match(rows[0]?.version ?? '', /^PostgreSQL 18/);
  assert.ok(server.pid !== undefined);
  if (process.getuid?.() === 0) {
    // We are root: the server must not be, and it must own its data dir.
    const serverUid = processUid(server.pid);
    assert.notEqual(serverUid, 0, 'postmaster runs as a non-root user');
    assert.equal(statSync(dataDir).uid, serverUid);
    assert.equal(statSync(path.dirname(dataDir)).uid, serverUid, 'the parent it created belongs to postgres too');
  } else {
    assert.equal(processUid(server.pid), process.getuid?.());
  }
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
});

test('as root, a data dir the postgres user cannot reach is refused with a clear error', { skip: process.getuid?.() !== 0 && 'not root' }, async (t) => {
  const defer = deferrer(t);
  const hidden = await tempDir(defer);
  await fs.chmod(hidden, 0o700);
  await assert.rejects(startEmbeddedPostgres({ dataDir: path.join(hidden, 'pg') }), (err: Error & { code: string }) => {
    assert.equal(err.code, 'EY_PG_DATA_DIR_UNREACHABLE');
    assert.match(err.message, /postgres user cannot reach .*\/pg/);
    return true;
  });
});

test('a port that is taken gives a clear start error, not a hang', async (t) => {
  const defer = deferrer(t);
  // Drops whatever connects: the start-up probe may reach it before postgres gives up, and a connection
  // left open (its data never read, so its end never seen) would keep blocker.close() waiting forever.
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => blocker.close(resolve)));
  const port = (blocker.address() as net.AddressInfo).port;
  await assert.rejects(startEmbeddedPostgres({ dataDir: await tempDir(defer), port }), (err: Error & { code: string }) => {
    assert.equal(err.code, 'EY_PG_START_FAILED');
    assert.match(err.message, new RegExp(`did not start on port ${port}: .*could not (bind|create)`));
    return true;
  });
});

test('a restart reuses the data dir and keeps the data', async (t) => {
  const defer = deferrer(t);
  const dataDir = await tempDir(defer);
  const first = await startEmbeddedPostgres({ dataDir });
  defer(() => first.stop());
  await query(first.url, "create table kept (v text); insert into kept values ('survives')");
  await first.stop();
  await first.stop(); // idempotent

  const second = await start(defer, dataDir);
  assert.deepEqual(await query(second.url, 'select v from kept'), [{ v: 'survives' }]);
});

test('starts after the postmaster was killed with SIGKILL (stale postmaster.pid)', async (t) => {
  const defer = deferrer(t);
  const dataDir = await tempDir(defer);
  const first = await startEmbeddedPostgres({ dataDir });
  defer(() => first.stop());
  await query(first.url, "create table kept (v text); insert into kept values ('committed')");
  const pid = first.pid;
  assert.ok(pid !== undefined);
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 'the postmaster to die');
  await first.stop(); // the server is gone already: must not hang
  assert.ok(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').startsWith(String(pid)), 'the lock file is left behind');

  const second = await start(defer, dataDir);
  assert.deepEqual(await query(second.url, 'select v from kept'), [{ v: 'committed' }]);
});

test('stops a server orphaned by a SIGKILLed owner and starts its own', async (t) => {
  const defer = deferrer(t);
  const dataDir = await tempDir(defer);
  const fixture = path.join(import.meta.dirname, 'fixtures', 'hold-postgres.ts');
  const owner = spawn(process.execPath, [fixture, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  defer(() => owner.kill('SIGKILL'));
  const [line] = (await once(owner.stdout, 'data')) as [Buffer];
  const orphan = JSON.parse(line.toString()) as { pid: number; url: string };
  defer(() => {
    if (isAlive(orphan.pid)) process.kill(orphan.pid, 'SIGKILL');
  });
  await query(orphan.url, "create table kept (v text); insert into kept values ('from the first owner')");

  owner.kill('SIGKILL');
  await once(owner, 'exit');
  assert.ok(isAlive(orphan.pid), 'the postmaster outlives its SIGKILLed owner');

  const server = await start(defer, dataDir);
  assert.ok(!isAlive(orphan.pid), 'the orphan was stopped');
  assert.notEqual(server.pid, orphan.pid);
  assert.deepEqual(await query(server.url, 'select v from kept'), [{ v: 'from the first owner' }]);
});
