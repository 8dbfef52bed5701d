// The supervisor and a process that cannot listen because its port is taken: it is not restarted (it
// would find the same port taken, forever, while the others talk to whatever holds it); start() fails
// at once naming the port, and onPortInUse hears of it once. The process here is the real broker.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger } from '@eventyard/core';
import { findFreePort } from '@eventyard/db';
import { PortInUseExit, Supervisor } from '../src/supervisor.ts';
import { CLI } from './fixture.ts';

test('a process exiting with EADDRINUSE fails start() with its port and is not restarted', async (t) => {
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  const taken = (blocker.address() as net.AddressInfo).port;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-supervisor-'));
  t.after(() => fs.rm(dataDir, { recursive: true, force: true }));

  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger({ name: 'dev', destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });
  const heard: PortInUseExit[] = [];
  const supervisor = new Supervisor(logger, { onPortInUse: (exit) => heard.push(exit) });
  t.after(() => supervisor.stop(2000));

  // Ready on a port nobody opens: only the exit can end the wait (before, it waited its 30 s out while
  // the broker was restarted again and again).
  const started = Date.now();
  const failure = await supervisor
    .start({
      name: 'broker',
      args: [CLI, 'broker', '--port', String(taken), '--host', '127.0.0.1', '--data-dir', dataDir],
      env: {},
      readyPorts: [await findFreePort()],
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  assert.ok(failure instanceof PortInUseExit, `start() failed with PortInUseExit: ${String(failure)}`);
  assert.equal(failure.port, taken);
  assert.equal(failure.process, 'broker');
  assert.ok(Date.now() - started < 20_000, 'start() failed as soon as the process exited');

  // The first restart would come after 1 s: wait past it.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(logLines.filter((line) => line.msg === 'process started').length, 1, 'started once, never restarted');
  assert.deepEqual(
    heard.map((exit) => [exit.process, exit.port]),
    [['broker', taken]],
  );
  // A later start() does not begin anything more: the stack is going down.
  await assert.rejects(supervisor.start({ name: 'producer', args: ['-e', ''], env: {} }), PortInUseExit);
  assert.equal(logLines.filter((line) => line.msg === 'process started').length, 1);
});
