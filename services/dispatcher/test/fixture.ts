// Test fixture: an in-process broker (temp dataDir, port 0), a fresh migrated database, the dispatcher
// built with createApp, and helpers to register processors, produce delivery tasks, read topics, and
// stand in for the delay-scheduler (which is another service) by producing due schedule items.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { readTopic, startTestBroker, waitFor, type ReadRecord, type TestBroker } from '@eventyard/broker/testing';
import { createLogger, ensureTopics, silentLogger, Topics } from '@eventyard/core';
import { upsertProcessor, type EventHistory, type ProcessorInput } from '@eventyard/db';
import { startDispatchServer } from '@eventyard/sdk';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { decodeMessage, encodeMessage, type DeliveryTask, type ScheduleItem__Output } from '@eventyard/proto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createApp, type DispatcherApp } from '../src/app.ts';
import { loadConfig, type DispatcherConfig } from '../src/config.ts';

export const PARTITIONS = 2;

export interface DispatcherFixture {
  app: DispatcherApp;
  config: Readonly<DispatcherConfig>;
  /** Builds and starts another dispatcher on the same broker and database (closed after the test). */
  startAnother(): Promise<DispatcherApp>;
  broker: TestBroker;
  db: TestDatabase;
  kafka: Kafka;
  /** Saves a processor (the dispatcher follows the table). */
  register(processor: Partial<ProcessorInput> & Pick<ProcessorInput, 'dispatcher_id' | 'addr'>): Promise<void>;
  /** Produces delivery tasks to a processor's delivery topic (creating it if needed). */
  produceTasks(dispatcherId: string, tasks: Array<{ key?: string; task: DeliveryTask }>): Promise<void>;
  /** Reads `topic` from the beginning until `done(records)` or the deadline. */
  readTopic(topic: string, done: (records: ReadRecord[]) => boolean, timeoutMs?: number): Promise<ReadRecord[]>;
  /** Plays the delay-scheduler: every item on eventyard.schedule is produced to its target when due. Returns the items seen. */
  runScheduler(): Promise<ScheduleItem__Output[]>;
}

export async function startDispatcher(t: TestContext, env: Record<string, string> = {}): Promise<DispatcherFixture> {
  // Registered before createDatabase's hook: after-hooks run in order, and the app must stop before its database is dropped.
  const started: { app?: DispatcherApp; others: DispatcherApp[]; broker?: TestBroker; clients: Array<Consumer | Producer> } = { clients: [], others: [] };
  t.after(async () => {
    for (const client of started.clients) await client.disconnect().catch(() => undefined);
    await started.app?.close();
    for (const other of started.others) await other.close();
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  const broker = (started.broker = await startTestBroker({ dirPrefix: 'ey-dispatcher-test-' }));
  const brokers = `127.0.0.1:${broker.port}`;
  const config = loadConfig({
    EY_DATABASE_URL: db.url,
    EY_KAFKA_BROKERS: brokers,
    EY_HEALTH_PORT: '0',
    EY_TOPIC_PARTITIONS: String(PARTITIONS),
    EY_EGRESS_ALLOW: '127.0.0.0/8,::1',
    EY_DISPATCH_FETCH_MAX_WAIT_MS: '100',
    EY_DISPATCH_SESSION_TIMEOUT_MS: '10000',
    EY_DISPATCH_COMMIT_INTERVAL_MS: '50',
    EY_SHUTDOWN_GRACE_MS: '2000',
    ...env,
  });
  const kafka = new Kafka({ brokers: [brokers], clientId: 'dispatcher-test', logLevel: logLevel.NOTHING });
  const logger = () =>
    process.env.EY_TEST_LOG_LEVEL === undefined ? silentLogger() : createLogger({ name: 'dispatcher', level: process.env.EY_TEST_LOG_LEVEL });
  const app = (started.app = createApp(config, { logger: logger() }));
  await app.start();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  started.clients.push(producer);
  await producer.connect();

  return {
    app,
    config,
    startAnother: async () => {
      const other = createApp(config, { logger: logger() });
      started.others.push(other);
      await other.start();
      return other;
    },
    broker,
    db,
    kafka,
    register: async (processor) => {
      await upsertProcessor(db.knex, { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', timeout: 3000, ...processor });
    },
    produceTasks: async (dispatcherId, tasks) => {
      const topic = Topics.deliveries(dispatcherId);
      await ensureTopics(kafka, [topic], { partitions: PARTITIONS });
      await producer.send({
        topic,
        acks: -1,
        messages: tasks.map(({ key, task }) => ({
          key: key ?? task.event_id ?? '',
          value: encodeMessage('eventyard.v1.DeliveryTask', { dispatcher_id: dispatcherId, trigger_source: 'auto', ...task }),
          headers: { 'ey-event-id': task.event_id ?? '' },
        })),
      });
    },
    readTopic: (topic, done, timeoutMs = 20_000) => readTopicCreated(kafka, topic, done, timeoutMs),
    runScheduler: async () => {
      const items: ScheduleItem__Output[] = [];
      await ensureTopics(kafka, [Topics.schedule], { partitions: PARTITIONS });
      const consumer = kafka.consumer({ groupId: `test-scheduler-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
      started.clients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: Topics.schedule, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const item = decodeMessage('eventyard.v1.ScheduleItem', message.value ?? Buffer.alloc(0));
          items.push(item);
          const dueMs = Number(item.due_at?.seconds ?? 0) * 1000 + Math.floor((item.due_at?.nanos ?? 0) / 1e6);
          setTimeout(
            () => {
              void producer.send({ topic: item.target_topic, acks: -1, messages: [{ key: item.key, value: item.value }] }).catch(() => undefined);
            },
            Math.max(0, dueMs - Date.now()),
          );
        },
      });
      return items;
    },
  };
}

/** Creates the topic first (with the fixture's partition count), then reads it as every service test does. */
async function readTopicCreated(kafka: Kafka, topic: string, isDone: (records: ReadRecord[]) => boolean, timeoutMs: number): Promise<ReadRecord[]> {
  await ensureTopics(kafka, [topic], { partitions: PARTITIONS });
  return readTopic(kafka, topic, isDone, timeoutMs);
}

/** The delivery row of (event, processor) once it reaches one of `statuses`. */
export async function waitForDelivery(f: DispatcherFixture, eventId: string, dispatcherId: string, statuses: readonly string[], timeoutMs = 20_000) {
  let found: EventHistory['deliveries'][number] | undefined;
  await waitFor(
    async () => {
      const rows = (await f.db.knex('deliveries').where({ event_id: eventId, dispatcher_id: dispatcherId })) as Array<{ status: string }>;
      if (!rows.some((r) => statuses.includes(r.status))) return false;
      const attempts = (await f.db
        .knex('delivery_attempts')
        .where({ event_id: eventId, dispatcher_id: dispatcherId })
        .orderBy('attempt_no')) as EventHistory['deliveries'][number]['attempts'];
      found = { ...(rows[0] as EventHistory['deliveries'][number]), attempts };
      return true;
    },
    timeoutMs,
    `delivery ${eventId}/${dispatcherId} ${statuses.join('|')}`,
  );
  return found as EventHistory['deliveries'][number];
}

/** A DeliveryTask for tests. */
export function task(eventId: string, data: string, extra: Partial<DeliveryTask> = {}): DeliveryTask {
  return { event_id: eventId, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from(data) }, retry_times: 0, ...extra };
}

export { waitFor, type ReadRecord };

/** A Dispatch server that notes each call's event_id and answers none (then success) until `release()`. */
export async function heldDispatchServer(t: TestContext): Promise<{ seen: string[]; release: () => void; server: { port: number } }> {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const seen: string[] = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req) => {
      seen.push(req.event_id);
      await gate;
      return { ret: { code: 0, msg: '' } };
    },
  });
  t.after(() => server.close(0));
  return { seen, release, server };
}
