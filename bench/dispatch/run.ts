// How fast does the dispatcher drain a delivery topic into a no-op Dispatch server? Runs it in-process
// against the project's broker and a throwaway Postgres, produces N tasks up front and prints deliveries/s
// (each one a gRPC call plus its attempt record, group-committed) at a few processor concurrencies.
//   node bench/dispatch/run.ts [tasks=5000]   (pnpm bench:dispatch)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startBroker } from '@eventyard/broker';
import { ensureTopics, silentLogger, Topics } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { encodeMessage } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { createApp, loadConfig } from '@eventyard/dispatcher';

const TASKS = Number(process.argv[2] ?? 5000);
const CONCURRENCY = [16, 64];
const PARTITIONS = 6;

const cleanups: Array<() => Promise<void> | void> = [];
const t = { after: (fn: () => Promise<void> | void) => cleanups.push(fn) } as unknown as TestContext;

try {
  const db = await createDatabase(t, { poolMax: 2 });
  let delivered = 0;
  const server = await startDispatchServer({ host: '127.0.0.1', handler: () => (delivered++, {}) });
  cleanups.push(() => server.close());
  for (const concurrency of CONCURRENCY) {
    const dataDir = await mkdtemp(join(tmpdir(), 'ey-dispatcher-bench-'));
    const broker = await startBroker({ port: 0, dataDir, groupInitialRebalanceDelayMs: 0 });
    const brokers = `127.0.0.1:${broker.port}`;
    const id = `bench-${concurrency}`;
    await upsertProcessor(db.knex, { dispatcher_id: id, app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: `127.0.0.1:${server.port}`, concurrency });
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    await ensureTopics(kafka, [Topics.deliveries(id)], { partitions: PARTITIONS });
    const producer = kafka.producer();
    await producer.connect();
    for (let start = 0; start < TASKS; start += 1000) {
      const messages = [];
      for (let i = start; i < Math.min(TASKS, start + 1000); i++) {
        const eventId = String(1_000_000 + i);
        messages.push({
          key: eventId,
          value: encodeMessage('eventyard.v1.DeliveryTask', {
            event_id: eventId,
            event: { app_id: 'a', topic_id: 't', data: Buffer.alloc(200, 1) },
            dispatcher_id: id,
          }),
        });
      }
      await producer.send({ topic: Topics.deliveries(id), messages });
    }
    await producer.disconnect();
    delivered = 0;
    const app = createApp(
      loadConfig({
        EY_DATABASE_URL: db.url,
        EY_KAFKA_BROKERS: brokers,
        EY_TOPIC_PARTITIONS: String(PARTITIONS),
        EY_LOG_LEVEL: 'silent',
        EY_EGRESS_ALLOW: '127.0.0.0/8',
      }),
      { logger: silentLogger() },
    );
    const started = performance.now();
    await app.start();
    const count = async () =>
      Number(((await db.knex('deliveries').where({ dispatcher_id: id, status: 'succeeded' }).count('* as n')) as Array<{ n: string }>)[0]?.n ?? 0);
    while ((await count()) < TASKS) await new Promise((resolve) => setTimeout(resolve, 100));
    const seconds = (performance.now() - started) / 1000;
    console.log(`concurrency ${concurrency}: ${TASKS} deliveries in ${seconds.toFixed(2)} s = ${Math.round(TASKS / seconds)}/s (calls made: ${delivered})`);
    await app.close();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
