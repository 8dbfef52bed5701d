// The README's start command, as a user runs it: `eventyard dev` boots embedded Postgres (migrated),
// the broker and every service as child processes, all usable, and Ctrl-C stops everything with exit code 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { findFreePort } from '@eventyard/db';
import { SERVICES } from '@eventyard/cli/stack';

const REPO = join(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'packages', 'cli', 'src', 'main.ts');

/**
 * An offset that moves every default port of the stack (and the example's 7000) onto free ports below
 * Linux's ephemeral range (32768+), where other tests' port-0 sockets cannot take them meanwhile.
 */
async function freePortOffset(taken: readonly number[]): Promise<number> {
  const defaults = [7000, ...SERVICES.flatMap((s) => [s.healthPort, ...s.ports.map((p) => p.port)])];
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 10_000 + Math.floor(Math.random() * 13_000);
    // Not onto the Postgres or Kafka port picked: dev refuses a port wanted twice.
    if (defaults.some((port) => taken.includes(port + offset))) continue;
    const free = await Promise.all(defaults.map((port) => isFree(port + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free port offset found for the dev stack');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** Whether a TCP connection to host:port is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The README's "Try it" block, with every default port shifted by the test stack's offset. */
function quickStartScript(portOffset: number, dataDir: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Try it'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  assert.ok(block.includes('examples/dispatch-server.ts'), 'found the quick start block');
  const dispatchPort = 7000 + portOffset;
  return [
    `export EY_EXAMPLE_DISPATCH_PORT=${dispatchPort} EY_EXAMPLE_PRODUCER_ADDR=127.0.0.1:${9000 + portOffset}`,
    block
      .replace(/(localhost|127\.0\.0\.1):(9000|8083|8081|7000)\b/g, (_, host: string, port: string) => `${host}:${Number(port) + portOffset}`)
      // The stack under test keeps its token in its own data dir, not the checkout's ./data.
      .replaceAll('data/admin-token', join(dataDir, 'admin-token')),
  ].join('\n');
}

test('eventyard dev starts migrated Postgres, the broker and every service, and Ctrl-C stops them all', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-dev-'));
  // mkdtemp makes it 0700; the postgres user must reach it, or dev would keep the cluster elsewhere.
  await chmod(dataDir, 0o755);
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const [pgPort, kafkaPort] = [await findFreePort(), await findFreePort()];
  // Service ports are fixed defaults shifted by an offset, so this run does not clash with a running stack.
  const portOffset = await freePortOffset([pgPort, kafkaPort]);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_') && k !== 'DATABASE_URL' && k !== 'KAFKA_BROKERS'));
  const child = spawn(
    process.execPath,
    [CLI, 'dev', '--data-dir', dataDir, '--pg-port', String(pgPort), '--kafka-port', String(kafkaPort), '--port-offset', String(portOffset)],
    {
      env: { ...env, EY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const deadline = Date.now() + 120_000;
  while (!output.includes('eventyard dev is up')) {
    assert.ok(Date.now() < deadline, `dev did not come up:\n${output}`);
    assert.equal(child.exitCode, null, `dev exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres` });
  await client.connect();
  const { rows } = await client.query<{ count: string }>('select count(*) from knex_migrations');
  assert.ok(Number(rows[0]?.count) >= 3, 'migrations applied');
  await client.end();

  const admin = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  assert.equal(await admin.createTopics({ topics: [{ topic: 'dev-check', numPartitions: 2 }] }), true);
  assert.ok((await admin.listTopics()).includes('dev-check'));
  await admin.disconnect();

  for (const service of SERVICES) {
    const url = `http://127.0.0.1:${service.healthPort + portOffset}/readyz`;
    const readyBy = Date.now() + 60_000;
    while (
      (await fetch(url).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      assert.ok(Date.now() < readyBy, `${service.name} not ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  await t.test('the admin API needs the token dev keeps in the data dir; every listener is on loopback only', async (t) => {
    const adminUrl = `http://127.0.0.1:${8081 + portOffset}`;
    const tokenFile = join(dataDir, 'admin-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600, 'the token file is readable by its owner only');
    const token = readFileSync(tokenFile, 'utf8').trim();
    assert.equal((await fetch(`${adminUrl}/v1/processors`)).status, 401);
    assert.equal((await fetch(`${adminUrl}/v1/processors`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.ok(
      output.includes(`  admin token`) && output.includes(`in ${tokenFile} (send "authorization: Bearer <token>"`),
      'the banner says where the token is',
    );
    // The CLI finds the token by itself when its data dir is the stack's.
    const cli = spawnSync(process.execPath, [CLI, 'processors', 'list', '--admin-url', adminUrl], { env: { ...env, EY_DATA_DIR: dataDir }, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);

    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;
    if (external === undefined) return t.skip('no non-loopback IPv4 interface to probe');
    const listeners = [pgPort, kafkaPort, ...SERVICES.flatMap((s) => [s.healthPort, ...s.ports.map((p) => p.port)].map((port) => port + portOffset))];
    for (const port of listeners) assert.equal(await reachable(external, port), false, `port ${port} answers on ${external}`);
    for (const port of listeners) assert.equal(await reachable('127.0.0.1', port), true, `port ${port} does not answer on loopback`);
  });

  await t.test("the README's quick start, pasted, delivers an event and shows it succeeded", async (t) => {
    if (spawnSync('sh', ['-c', 'command -v curl']).status !== 0) return t.skip('curl is not installed: the quick start uses it');
    const script = quickStartScript(portOffset, dataDir);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `quick start failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /dispatch: event_id=\d+ app=demo topic=greeting retry_times=0 data=\{"hello":"grpc"\}/);
    assert.match(run.stdout, /dispatch: event_id=\d+ app=demo topic=greeting retry_times=0 data=\{"hello":"curl"\}/);
    const lookup = run.stdout.split('\n').findLast((line) => line.includes('"deliveries"')) ?? '';
    assert.match(lookup, /"dispatcher_id":"example-printer"/);
    assert.match(lookup, /"status":"succeeded"/);
  });

  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
  assert.match(output, /"step":"stop processes"/);
  for (const name of ['broker', ...SERVICES.map((s) => s.name)]) assert.match(output, new RegExp(`^${name} +\\| \\{`, 'm'), `${name}'s lines carry its prefix`);
  assert.match(output, /"step":"stop embedded postgres"/);
});
