// The README's start command, as a user runs it: `eventyard dev` boots embedded Postgres (migrated),
// the broker and every service as child processes, all usable, and Ctrl-C stops everything with exit code 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { findFreePort } from '@eventyard/db';
import { SERVICES } from '@eventyard/cli/stack';

const CLI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');

test('eventyard dev starts migrated Postgres and the broker, and Ctrl-C stops both', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-dev-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const [pgPort, kafkaPort] = [await findFreePort(), await findFreePort()];
  // Service ports are fixed defaults shifted by an offset, so this run does not clash with a running stack.
  const portOffset = 20_000 + Math.floor(Math.random() * 20_000);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_') && k !== 'DATABASE_URL' && k !== 'KAFKA_BROKERS'));
  const child = spawn(process.execPath, [CLI, 'dev', '--data-dir', dataDir, '--pg-port', String(pgPort), '--kafka-port', String(kafkaPort), '--port-offset', String(portOffset)], {
    env: { ...env, EY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    while ((await fetch(url).then((r) => r.status, () => 0)) !== 200) {
      assert.ok(Date.now() < readyBy, `${service.name} not ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
  assert.match(output, /"step":"stop processes"/);
  assert.match(output, /"step":"stop embedded postgres"/);
});
