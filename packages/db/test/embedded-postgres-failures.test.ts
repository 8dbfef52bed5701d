// Start failures of embedded Postgres are coded errors with one-line messages, raised promptly: a binary
// that cannot be spawned, initdb failing, a server that exits at once or never accepts connections.
// Fake installations are small shell scripts standing in for bin/initdb and bin/postgres.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startEmbeddedPostgres } from '@eventyard/db';

/** A dir every user can reach (mkdtemp makes 0700), removed after the test. */
async function openTempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-pg-fail-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.chmod(dir, 0o755);
  return dir;
}

/** An installation whose bin/initdb and bin/postgres are the given scripts. */
async function fakeInstall(t: TestContext, scripts: { initdb: string; postgres: string }): Promise<string> {
  const dir = path.join(await openTempDir(t), 'install');
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true, mode: 0o755 });
  for (const [name, body] of Object.entries(scripts)) {
    await fs.writeFile(path.join(dir, 'bin', name), body, { mode: 0o755 });
  }
  return dir;
}

/** A data dir that already holds a "cluster", so the start goes straight to the server. */
async function initialisedDataDir(t: TestContext): Promise<string> {
  const dataDir = path.join(await openTempDir(t), 'pg');
  await fs.mkdir(dataDir, { mode: 0o700 });
  await fs.writeFile(path.join(dataDir, 'PG_VERSION'), '18\n');
  return dataDir;
}

function expectCoded(code: string, message: RegExp): (err: Error & { code?: string }) => boolean {
  return (err) => {
    assert.equal(err.code, code, err.message);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    assert.match(err.message, message);
    return true;
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
  } catch {
    return false;
  }
}

const NEVER_RUNS = '#!/nonexistent/interpreter\n';

test('an installation without binaries is refused by name', async (t) => {
  const empty = await openTempDir(t);
  await assert.rejects(
    startEmbeddedPostgres({ dataDir: path.join(await openTempDir(t), 'pg'), installDir: empty }),
    expectCoded('EY_PG_BINARIES_MISSING', new RegExp(`${empty}/bin/initdb does not exist`)),
  );
});

test('an initdb that cannot be spawned is EY_PG_INIT_FAILED, not an unhandled error event', async (t) => {
  const installDir = await fakeInstall(t, { initdb: NEVER_RUNS, postgres: NEVER_RUNS });
  await assert.rejects(
    startEmbeddedPostgres({ dataDir: path.join(await openTempDir(t), 'pg'), installDir }),
    expectCoded('EY_PG_INIT_FAILED', /^embedded postgres: initdb failed in .*\/pg: could not run .*\/bin\/initdb: spawn .*ENOENT/),
  );
});

test('initdb failing names its exit code and its last output lines', async (t) => {
  const installDir = await fakeInstall(t, { initdb: '#!/bin/sh\necho "initdb: error: disk on fire" >&2\nexit 3\n', postgres: NEVER_RUNS });
  await assert.rejects(
    startEmbeddedPostgres({ dataDir: path.join(await openTempDir(t), 'pg'), installDir }),
    expectCoded('EY_PG_INIT_FAILED', /initdb exited with code 3: initdb: error: disk on fire$/),
  );
});

test('a server that cannot be spawned is EY_PG_START_FAILED', async (t) => {
  const installDir = await fakeInstall(t, { initdb: NEVER_RUNS, postgres: NEVER_RUNS });
  await assert.rejects(
    startEmbeddedPostgres({ dataDir: await initialisedDataDir(t), installDir, port: 1 }),
    expectCoded('EY_PG_START_FAILED', /did not start on port 1: could not run postgres: spawn .*ENOENT/),
  );
});

test('a server that exits at once fails the start at once, with its last lines', async (t) => {
  const installDir = await fakeInstall(t, { initdb: NEVER_RUNS, postgres: '#!/bin/sh\necho "FATAL:  lock file is bad" >&2\nexit 1\n' });
  const started = Date.now();
  await assert.rejects(
    startEmbeddedPostgres({ dataDir: await initialisedDataDir(t), installDir, port: 1, startTimeoutMs: 60_000 }),
    expectCoded('EY_PG_START_FAILED', /postgres exited with code 1: FATAL: {2}lock file is bad$/),
  );
  assert.ok(Date.now() - started < 30_000, 'does not wait for the start timeout');
});

test('a server that never accepts connections is stopped when the start timeout passes', async (t) => {
  const dataDir = await initialisedDataDir(t);
  const installDir = await fakeInstall(t, { initdb: NEVER_RUNS, postgres: `#!/bin/sh\necho $$ > "${dataDir}/fake.pid"\nexec sleep 60\n` });
  await assert.rejects(
    startEmbeddedPostgres({ dataDir, installDir, port: 1, startTimeoutMs: 1500 }),
    expectCoded('EY_PG_START_FAILED', /did not start on port 1: not accepting connections after 1500 ms/),
  );
  const pid = Number(readFileSync(path.join(dataDir, 'fake.pid'), 'utf8'));
  assert.ok(!isAlive(pid), 'the server process was stopped');
});
