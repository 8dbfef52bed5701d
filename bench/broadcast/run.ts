// Broadcast fan-out benchmark (issue 7): one broadcast event to N processors through the router
// (in-process, the project's broker, a real database), timed from ingest until every task is produced and
// the round is committed, at the given EY_BROADCAST_RATE_PER_S values (0 = unlimited, the path's own
// ceiling), beside the raw ceiling measured in the same run: kafkajs sending N records to the same N topics
// in one request. Prints a table and exits.
//
//   node_modules/.bin/node bench/broadcast/run.ts [--processors 1000] [--batch 500] [--rates 0,5000,2000]
import type { TestContext } from 'node:test';
import { parseArgs } from 'node:util';
import { Topics } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { Kafka, logLevel } from 'kafkajs';
import { nextEventId, startRouter, waitFor } from '../../services/router/test/fixture.ts';

const { values } = parseArgs({
  options: { processors: { type: 'string', default: '1000' }, batch: { type: 'string', default: '500' }, rates: { type: 'string', default: '0,5000,2000' } },
});
const PROCESSORS = Number(values.processors);
const BATCH = Number(values.batch);
const RATES = values.rates.split(',').map(Number);

async function counter(registry: { getMetricsAsJSON(): Promise<Array<{ name: string; values: Array<{ value: number }> }>> }, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

async function run(rate: number): Promise<{ rate: number; fanoutMs: number; batches: number; rawMs: number }> {
  const cleanups: Array<() => unknown> = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext;
  try {
    const f = await startRouter(t, {
      EY_BROADCAST_BATCH_SIZE: String(BATCH),
      EY_BROADCAST_RATE_PER_S: String(rate),
      EY_TOPIC_PARTITIONS: '1',
      EY_CONFIG_RELOAD_MS: '600000',
    });
    for (let i = 0; i < PROCESSORS; i++) {
      await upsertProcessor(f.db.knex, {
        dispatcher_id: `bench-${i}`,
        app_id: 'bench',
        topic_id: 'all',
        protocol_type: 'grpcSend',
        addr: '127.0.0.1:1',
        filter: { never: { $eq: true } },
      });
    }
    await f.app.reloadConfig();
    // The router creates the delivery topics ahead of the first event (onIndex); wait for them, so the
    // timing below is the fan-out, not topic creation.
    const kafka = new Kafka({ brokers: [`127.0.0.1:${f.broker.port}`], clientId: 'bench', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(
      async () => (await admin.listTopics()).filter((name) => name.startsWith(Topics.deliveries('bench-'))).length >= PROCESSORS,
      300_000,
      'delivery topics',
    );
    await admin.disconnect();

    const started = performance.now();
    await f.ingest([{ event_id: nextEventId(), event: { app_id: 'bench', topic_id: 'all', data: Buffer.from('{}') }, broadcast: true }]);
    await waitFor(async () => (await counter(f.app.registry, 'eventyard_router_broadcast_tasks_total')) >= PROCESSORS, 600_000, 'every broadcast task');
    await f.drained();
    const fanoutMs = performance.now() - started;
    const batches = await counter(f.app.registry, 'eventyard_router_broadcast_batches_total');

    // Ceiling: the same N records to the same N topics, one kafkajs request, acks = all.
    const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    const rawStarted = performance.now();
    await producer.sendBatch({
      acks: -1,
      topicMessages: Array.from({ length: PROCESSORS }, (_, i) => ({
        topic: Topics.deliveries(`bench-${i}`),
        messages: [{ key: 'k', value: Buffer.alloc(64) }],
      })),
    });
    const rawMs = performance.now() - rawStarted;
    await producer.disconnect();
    return { rate, fanoutMs, batches, rawMs };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

console.log(`broadcast to ${PROCESSORS} processors, EY_BROADCAST_BATCH_SIZE=${BATCH}`);
console.log('rate/s     fan-out ms  tasks/s   batches  raw kafkajs ms (same records, one request)');
for (const rate of RATES) {
  const r = await run(rate);
  const perS = Math.round((PROCESSORS * 1000) / r.fanoutMs);
  console.log(
    `${String(rate === 0 ? 'unlimited' : rate).padEnd(10)} ${r.fanoutMs.toFixed(0).padStart(10)}  ${String(perS).padStart(7)}  ${String(r.batches).padStart(7)}  ${r.rawMs.toFixed(0).padStart(8)}`,
  );
}
