// Test fixture: an in-process broker (temp dataDir, port 0), a fresh migrated database, and the router
// built with createApp; plus helpers to put IngestEnvelopes on ingest and read what the router produced.
import type { TestContext } from 'node:test';
import { readTopic, startTestBroker, waitFor, type ReadRecord, type TestBroker } from '@eventyard/broker/testing';
import { silentLogger, Topics } from '@eventyard/core';
import type { DeliveryRecord, EventRecord } from '@eventyard/db';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { encodeMessage, type IngestEnvelope } from '@eventyard/proto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createApp, type RouterApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export interface RouterFixture {
  app: RouterApp;
  broker: TestBroker;
  db: TestDatabase;
  kafka: Kafka;
  /** Builds another router on the same broker and database (closed after the test). */
  startApp(env?: Record<string, string>): Promise<RouterApp>;
  /** Produces envelopes to eventyard.ingest in one request, keyed as the producer service keys them. */
  ingest(envelopes: readonly IngestEnvelope[]): Promise<void>;
  /** Produces raw bytes to eventyard.ingest. */
  ingestRaw(value: Buffer, key?: string): Promise<void>;
  /** Records on `topic` from the beginning, until `done(records)` holds or the deadline passes. */
  readTopic(topic: string, done: (records: ReadRecord[]) => boolean, timeoutMs?: number): Promise<ReadRecord[]>;
  /** Total records on `topic` (sum of high watermarks; 0 when it does not exist). */
  countRecords(topic: string): Promise<number>;
  /** Polls until the router group's committed offsets reach the end of ingest: every round so far is complete. */
  drained(): Promise<void>;
  /** Polls until the event row exists (and `until` holds for it), then returns it with its deliveries. */
  waitForEvent(
    eventId: string,
    until?: (event: EventRecord, deliveries: DeliveryRecord[]) => boolean,
  ): Promise<{ event: EventRecord; deliveries: DeliveryRecord[] }>;
}

/** Distinct event ids per call, time-sortable like the producer's. */
let sequence = 0;
export function nextEventId(): string {
  sequence++;
  return String(BigInt(Date.now()) * 1_000_000n + BigInt(process.pid % 1000) * 1000n + BigInt(sequence % 1000));
}

export async function startRouter(t: TestContext, env: Record<string, string> = {}): Promise<RouterFixture> {
  // Registered before createDatabase's hook: after-hooks run in registration order, and the apps must
  // stop before their database is dropped.
  const started: { apps: RouterApp[]; broker?: TestBroker; producer?: Producer } = { apps: [] };
  t.after(async () => {
    for (const app of started.apps) await app.close();
    await started.producer?.disconnect();
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  const broker = (started.broker = await startTestBroker({ dirPrefix: 'ey-router-test-' }));
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'router-test', logLevel: logLevel.NOTHING });
  const startApp = async (extra: Record<string, string> = {}): Promise<RouterApp> => {
    const config = loadConfig({
      EY_DATABASE_URL: db.url,
      EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
      EY_HEALTH_PORT: '0',
      EY_TOPIC_PARTITIONS: '3',
      EY_ROUTER_SESSION_TIMEOUT_MS: '10000',
      ...env,
      ...extra,
    });
    const app = createApp(config, { logger: silentLogger() });
    started.apps.push(app);
    await app.start();
    return app;
  };
  const app = await startApp();
  const producer = (started.producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false }));
  await producer.connect();

  const ingest = async (envelopes: readonly IngestEnvelope[]): Promise<void> => {
    await producer.send({
      topic: Topics.ingest,
      acks: -1,
      messages: envelopes.map((e) => ({
        key: e.option?.orderingKey ? e.option.orderingKey : (e.event_id ?? ''),
        value: encodeMessage('eventyard.v1.IngestEnvelope', e),
        headers: { 'ey-event-id': e.event_id ?? '' },
      })),
    });
  };

  return {
    app,
    broker,
    db,
    kafka,
    startApp,
    ingest,
    ingestRaw: async (value, key = 'garbage') => {
      await producer.send({ topic: Topics.ingest, acks: -1, messages: [{ key, value }] });
    },
    readTopic: (topic, done, timeoutMs = 15_000) => readTopic(kafka, topic, done, timeoutMs),
    countRecords: async (topic) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        if (!(await admin.listTopics()).includes(topic)) return 0;
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      } finally {
        await admin.disconnect();
      }
    },
    drained: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(
          async () => {
            const ends = await admin.fetchTopicOffsets(Topics.ingest);
            const [committed] = await admin.fetchOffsets({ groupId: 'eventyard-router', topics: [Topics.ingest] });
            return ends.every((end) => {
              const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
              // An empty partition has no committed offset (-1).
              return offset === end.high || (offset === '-1' && end.high === end.low);
            });
          },
          15_000,
          'the router to commit every ingest record',
        );
      } finally {
        await admin.disconnect();
      }
    },
    waitForEvent: async (eventId, until = () => true) => {
      let found: { event: EventRecord; deliveries: DeliveryRecord[] } | undefined;
      await waitFor(
        async () => {
          const event = (await db.knex('events').where({ event_id: eventId }).first()) as EventRecord | undefined;
          if (event === undefined) return false;
          const deliveries = (await db.knex('deliveries').where({ event_id: eventId }).orderBy('dispatcher_id')) as DeliveryRecord[];
          found = { event, deliveries };
          return until(event, deliveries);
        },
        15_000,
        `event ${eventId} recorded`,
      );
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
  };
}

/** A Timestamp for epoch milliseconds, as the producer writes `reported_at`. */
export function timestampOf(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

export { waitFor, type ReadRecord };
