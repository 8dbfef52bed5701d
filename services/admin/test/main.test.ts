// main.ts as a real process with env only: it serves the API, becomes ready, and exits 0 on SIGTERM;
// it refuses to start without an admin token unless EY_ADMIN_AUTH=none says so, which it then warns about.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { findFreePort } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');

test('without EY_ADMIN_TOKEN the service refuses to start, naming the variable and the way out', async (t) => {
  const db = await createDatabase(t);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, EY_DATABASE_URL: db.url, EY_ADMIN_PORT: '0', EY_ADMIN_HOST: '127.0.0.1', EY_HEALTH_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 1, output);
  assert.match(output, /config: EY_ADMIN_TOKEN: required .*EY_ADMIN_AUTH=none/);
});

test('main.ts runs from env vars and shuts down cleanly on SIGTERM', async (t) => {
  const db = await createDatabase(t);
  const [adminPort, healthPort] = [await findFreePort(), await findFreePort()];
  // EY_ADMIN_AUTH=none: open on purpose, so this process checks the warning every start gives.
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      EY_DATABASE_URL: db.url,
      EY_ADMIN_PORT: String(adminPort),
      EY_ADMIN_HOST: '127.0.0.1',
      EY_HEALTH_PORT: String(healthPort),
      EY_ADMIN_AUTH: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': only then has every line of its stdout been read.
  const exited = once(child, 'close');
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`admin never became ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const res = await fetch(`http://127.0.0.1:${adminPort}/v1/processors`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ret: { code: 0, msg: 'success' }, processors: [], next_cursor: null, health: {} });
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, output);
  assert.match(output, /"level":40.*EY_ADMIN_AUTH=none: the admin API is open to anyone who can reach it/);
  assert.match(output, /"msg":"shutdown complete"/);
});
