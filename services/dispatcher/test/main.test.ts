// main.ts as a real process, configured by environment only: it becomes ready, delivers, and exits 0 on
// SIGTERM after its shutdown sequence; bad config prints one line per variable and exits 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestBroker } from '@eventyard/broker/testing';
import { ensureTopics, Topics } from '@eventyard/core';
import { findFreePort, upsertProcessor } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { encodeMessage } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './fixture.ts';

const MAIN = join(import.meta.dirname, '../src/main.ts');

test('node services/dispatcher/src/main.ts: ready, delivers, SIGTERM exits 0', async (t) => {
  const db = await createDatabase(t);
  const broker = await startTestBroker({ dirPrefix: 'ey-dispatcher-main-', flush: { mode: 'always' } });
  t.after(() => broker.close());
  const seen: string[] = [];
  const server = await startDispatchServer({ host: '127.0.0.1', handler: (req) => (seen.push(req.event_id), {}) });
  t.after(() => server.close());
  await upsertProcessor(db.knex, { dispatcher_id: 'main-proc', app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: `127.0.0.1:${server.port}` });

  const healthPort = await findFreePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      EY_DATABASE_URL: db.url,
      EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
      EY_HEALTH_PORT: String(healthPort),
      EY_TOPIC_PARTITIONS: '1',
      EY_LOG_LEVEL: 'warn',
      EY_EGRESS_ALLOW: '127.0.0.0/8',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200,
    30_000,
    `readiness (output: ${output})`,
  );
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, [Topics.deliveries('main-proc')], { partitions: 1 });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: Topics.deliveries('main-proc'),
    messages: [
      {
        key: '8001',
        value: encodeMessage('eventyard.v1.DeliveryTask', { event_id: '8001', event: { app_id: 'a', topic_id: 't' }, dispatcher_id: 'main-proc' }),
      },
    ],
  });
  await producer.disconnect();
  await waitFor(() => seen.includes('8001'), 20_000, 'delivery through the process');
  await waitFor(async () => (await db.knex('deliveries').where({ event_id: '8001', status: 'succeeded' })).length === 1, 10_000, 'recorded');

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});

test('bad config: one line per variable, exit 1', async () => {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, EY_DISPATCH_DEFAULT_TIMEOUT_MS: 'soon' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 1);
  assert.match(stderr, /config: EY_DATABASE_URL: required/);
  assert.match(stderr, /config: EY_DISPATCH_DEFAULT_TIMEOUT_MS: must be an integer/);
});
