// `eventyard dev` when a port it needs is taken (a Kafka of the user's own on 9092, a Postgres on 5433,
// anything on a service port): one line naming the port, what wanted it and the flag that moves it,
// exit 1, before anything starts, so nothing is left running. Before, the broker restarted forever on
// EADDRINUSE while the services talked to whatever held its port.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { findFreePort } from '@eventyard/db';
import { devServicePorts, freePortOffset, runCli } from './fixture.ts';

/** Something of the user's own listening on 127.0.0.1:port (0 = any free port); closed after the test. */
async function occupy(t: TestContext, port = 0): Promise<number> {
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(port, '127.0.0.1', resolve);
  });
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  return (blocker.address() as net.AddressInfo).port;
}

/** Whether anything accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Ports {
  pg: number;
  kafka: number;
  offset: number;
}

/** Runs `eventyard dev` on the given ports with a fresh data dir; what it printed and left behind. */
async function runDev(t: TestContext, ports: Ports, env: Record<string, string> = {}) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-cli-dev-ports-'));
  t.after(() => fs.rm(dataDir, { recursive: true, force: true }));
  const started = Date.now();
  const result = await runCli(
    ['dev', '--data-dir', dataDir, '--pg-port', String(ports.pg), '--kafka-port', String(ports.kafka), '--port-offset', String(ports.offset)],
    env,
  );
  return {
    code: result.code,
    ms: Date.now() - started,
    lines: result.stderr.split('\n').filter((line) => line !== ''),
    stdout: result.stdout,
    dataDirEntries: await fs.readdir(dataDir),
  };
}

/** Nothing of the stack answers on its ports but the one the test holds itself. */
async function assertNothingListening(ports: Ports, held: number): Promise<void> {
  for (const port of [ports.pg, ports.kafka, ...devServicePorts(ports.offset)]) {
    if (port !== held) assert.equal(await listening(port), false, `something listens on ${port}`);
  }
}

/**
 * Free ports for Postgres and the broker and a free service port offset, none of them the same port: two
 * picked independently can coincide (a broker port of 27070 with the admin API at 8081 + 18989 made the
 * port-clash check answer instead of the in-use one). freePortOffset keeps the services off the two.
 */
async function freePorts(): Promise<Ports> {
  for (;;) {
    const [pg, kafka] = [await findFreePort(), await findFreePort()];
    if (pg !== kafka) return { pg, kafka, offset: await freePortOffset([pg, kafka]) };
  }
}

test('a broker port that is taken (a Kafka of your own): one line naming it and --kafka-port, exit 1, nothing started', async (t) => {
  const ports = { ...(await freePorts()), kafka: await occupy(t) };
  const run = await runDev(t, ports);
  assert.equal(run.code, 1);
  assert.deepEqual(run.lines, [`eventyard dev: port ${ports.kafka} (broker) is in use; move it with --kafka-port or free it`]);
  assert.ok(run.ms < 10_000, `refused at once, not after starting things (${run.ms} ms)`);
  assert.deepEqual(run.dataDirEntries, [], 'no Postgres cluster, broker log or token was made');
  assert.equal(run.stdout, '', 'no process was started');
  await assertNothingListening(ports, ports.kafka);
});

test('a service port that is taken: one line naming it and --port-offset, exit 1, nothing started', async (t) => {
  const ports = await freePorts();
  const admin = await occupy(t, 8081 + ports.offset);
  const run = await runDev(t, ports);
  assert.equal(run.code, 1);
  assert.deepEqual(run.lines, [`eventyard dev: port ${admin} (admin API) is in use; move it with --port-offset or free it`]);
  assert.deepEqual(run.dataDirEntries, []);
  await assertNothingListening(ports, admin);

  const health = await occupy(t, 9102 + ports.offset);
  const second = await runDev(t, ports);
  assert.equal(second.code, 1);
  assert.deepEqual(second.lines, [`eventyard dev: port ${health} (dispatcher health) is in use; move it with --port-offset or free it`]);
});

test('a Postgres port that is taken: one line naming it and --pg-port, exit 1', async (t) => {
  const ports = { ...(await freePorts()), pg: await occupy(t) };
  const run = await runDev(t, ports);
  assert.equal(run.code, 1);
  assert.deepEqual(run.lines, [`eventyard dev: port ${ports.pg} (postgres) is in use; move it with --pg-port or free it`]);
  await assertNothingListening(ports, ports.pg);
  // With EY_DATABASE_URL dev runs no Postgres, so that port is not its business: the next check is.
  const external = await runDev(t, { ...ports, kafka: await occupy(t) }, { EY_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${ports.pg}/postgres` });
  assert.equal(external.code, 1);
  assert.match(external.lines.join('\n'), /^eventyard dev: port \d+ \(broker\) is in use; move it with --kafka-port or free it$/);
});

test("two of the stack's own ports on one number are refused before anything starts", async (t) => {
  const ports = await freePorts();
  const run = await runDev(t, { ...ports, kafka: 9000 + ports.offset });
  assert.equal(run.code, 1);
  assert.deepEqual(run.lines, [
    `eventyard dev: port ${9000 + ports.offset} is wanted by both broker and producer gRPC; move one with --kafka-port or --port-offset`,
  ]);
});
