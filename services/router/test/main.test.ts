// main.ts as a real process configured by environment variables only: it becomes ready, routes, and
// exits 0 on SIGTERM after its shutdown steps; bad config is one line per variable and exit 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestBroker } from '@eventyard/broker/testing';
import { Topics } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { encodeMessage } from '@eventyard/proto';
import { Kafka, logLevel } from 'kafkajs';
import { nextEventId, waitFor } from './fixture.ts';

const MAIN = join(import.meta.dirname, '../src/main.ts');

test('node services/router/src/main.ts routes with env only and stops cleanly on SIGTERM', async (t) => {
  const state: { stop?: () => Promise<void> } = {};
  t.after(() => state.stop?.());
  const db = await createDatabase(t);
  const broker = await startTestBroker({ dirPrefix: 'ey-router-main-' });
  state.stop = () => broker.close();
  await upsertProcessor(db.knex, { dispatcher_id: 'main-test', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });

  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, EY_DATABASE_URL: db.url, EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`, EY_HEALTH_PORT: '0', EY_TOPIC_PARTITIONS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': only then has every line of its stdout been read.
  const exited = once(child, 'close');
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await waitFor(() => lines.some((l) => l.msg === 'router ready'), 20_000, `router ready (stderr: ${stderr})`);
  const healthPort = Number(lines.find((l) => l.msg === 'router ready')?.healthPort);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, 15_000, '/readyz 200');

  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'main-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const eventId = nextEventId();
  await producer.send({
    topic: Topics.ingest,
    messages: [
      {
        key: eventId,
        value: encodeMessage('eventyard.v1.IngestEnvelope', { event_id: eventId, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('x') } }),
      },
    ],
  });
  await producer.disconnect();
  await waitFor(
    async () => (await db.knex('deliveries').where({ event_id: eventId, dispatcher_id: 'main-test' }).first()) !== undefined,
    15_000,
    'the delivery row',
  );

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, stderr);
  const steps = lines.filter((l) => l.msg === 'router shutdown step done').map((l) => l.step);
  assert.deepEqual(steps, ['stop consumer, commit, disconnect producer', 'stop config updates', 'close health server', 'close database pool']);
});

test('bad config: one line per bad variable, exit 1', async () => {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, EY_CONFIG_RELOAD_MS: 'soon' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(stderr, /^config: EY_DATABASE_URL: required$/m);
  assert.match(stderr, /^config: EY_CONFIG_RELOAD_MS: must be an integer/m);
});
