// Test fixture: an in-process broker (temp dataDir, port 0), a fresh migrated database, schedulers built
// with createApp, a producer for ScheduleItems, and a reader that collects what lands on a topic.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { startTestBroker, type TestBroker } from '@eventyard/broker/testing';
import { ensureTopics, silentLogger, Topics } from '@eventyard/core';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { encodeMessage } from '@eventyard/proto';
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { createApp, type SchedulerApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export interface ReadRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
  /** The record's create time: when the scheduler produced it. */
  timestamp: number;
}

export interface TopicReader {
  readonly records: ReadRecord[];
  /** Polls until `done(records)` holds; throws after the deadline. */
  until(done: (records: ReadRecord[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
}

export interface SchedulerFixture {
  broker: TestBroker;
  db: TestDatabase;
  kafka: Kafka;
  groupId: string;
  /** Builds and starts a scheduler on this fixture's broker and database (closed after the test). */
  startScheduler(env?: Record<string, string>): Promise<SchedulerApp>;
  /** Creates a fresh target topic. */
  createTopic(prefix?: string): Promise<string>;
  /** Produces raw records to eventyard.schedule. */
  produceRaw(messages: Array<{ key?: string; value: Buffer | null; headers?: Record<string, string> }>): Promise<void>;
  /** Reads `topic` from the beginning for the rest of the test. */
  readTopic(topic: string): Promise<TopicReader>;
}

export interface ItemSpec {
  timerId: string;
  dueAt: number;
  targetTopic: string;
  key?: string;
  value: string;
  kind?: string;
}

export function scheduleItem(spec: ItemSpec): Buffer {
  return encodeMessage('eventyard.v1.ScheduleItem', {
    timer_id: spec.timerId,
    due_at: { seconds: String(Math.floor(spec.dueAt / 1000)), nanos: (spec.dueAt % 1000) * 1e6 },
    target_topic: spec.targetTopic,
    key: Buffer.from(spec.key ?? spec.timerId),
    value: Buffer.from(spec.value),
    kind: spec.kind ?? 'delay',
  });
}

export async function startFixture(t: TestContext, brokerOptions: { autoCreateTopics?: boolean } = {}): Promise<SchedulerFixture> {
  // Registered before createDatabase's hook: after-hooks run in order, and schedulers must stop before the database goes.
  const cleanups: Array<() => Promise<void> | void> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const db = await createDatabase(t);
  const broker = await startTestBroker({ dirPrefix: 'ey-scheduler-test-', ...brokerOptions });
  cleanups.push(() => broker.close());
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'scheduler-test', logLevel: logLevel.NOTHING });
  const groupId = `scheduler-${randomBytes(4).toString('hex')}`;
  await ensureTopics(kafka, [Topics.schedule], { partitions: 2 });
  let producer: Producer | undefined;
  const schedulerCleanups: Array<() => Promise<void>> = [];
  // Schedulers close before readers and the producer (cleanups run in reverse).
  cleanups.push(async () => {
    for (const close of schedulerCleanups) await close();
  });
  return {
    broker,
    db,
    kafka,
    groupId,
    async startScheduler(env = {}) {
      const config = loadConfig({
        EY_DATABASE_URL: db.url,
        EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
        EY_HEALTH_PORT: '0',
        EY_TOPIC_PARTITIONS: '2',
        EY_SCHEDULER_GROUP_ID: groupId,
        EY_SCHEDULER_FETCH_MAX_WAIT_MS: '100',
        ...env,
      });
      const app = createApp(config, { logger: silentLogger() });
      schedulerCleanups.push(() => app.close());
      await app.start();
      return app;
    },
    async createTopic(prefix = 'target') {
      const topic = `test.${prefix}.${randomBytes(4).toString('hex')}`;
      await ensureTopics(kafka, [topic], { partitions: 1 });
      return topic;
    },
    async produceRaw(messages) {
      if (producer === undefined) {
        const p = (producer = kafka.producer({ idempotent: true }));
        await p.connect();
        cleanups.push(() => p.disconnect());
      }
      await producer.send({
        topic: Topics.schedule,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers ?? {} })),
      });
    },
    async readTopic(topic) {
      const consumer: Consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}`, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
      await consumer.connect();
      cleanups.push(() => consumer.disconnect());
      await consumer.subscribe({ topic, fromBeginning: true });
      const records: ReadRecord[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          records.push({
            key: message.key?.toString('utf8') ?? '',
            value: message.value?.toString('utf8') ?? '',
            headers: headersOf(message.headers),
            timestamp: Number(message.timestamp),
          });
        },
      });
      return {
        records,
        until: (done, what, timeoutMs = 20_000) => waitFor(() => done(records), timeoutMs, what),
      };
    },
  };
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = String(value);
  return out;
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value of one sample of a metric in Prometheus text, or 0. */
export async function metricValue(healthPort: number, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const [series, value] = line.split(' ');
    if (series === undefined || value === undefined) continue;
    const rest = series.slice(name.length);
    if (rest === '' || (rest.startsWith('{') && rest.includes(labels))) return Number(value);
  }
  return 0;
}
