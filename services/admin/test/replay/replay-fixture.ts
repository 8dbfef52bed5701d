// Test fixture for replay, redrive and processor actions: a fresh database, an in-process broker (port 0,
// temp dataDir), the admin app built with createApp on free ports (its replay runner on or off), and
// helpers to seed processors, events and deliveries and to read back everything on a delivery topic.
import type { TestContext } from 'node:test';
import { readTopic, startTestBroker, waitFor, type TestBroker } from '@eventyard/broker/testing';
import { ensureTopics, silentLogger, Topics } from '@eventyard/core';
import { recordDeliveries, recordEvents, upsertProcessor, type DeliveryInput, type EventInput, type ProcessorInput, type ProcessorRecord } from '@eventyard/db';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { decodeMessage, type DeliveryTask__Output } from '@eventyard/proto';
import { Kafka, logLevel } from 'kafkajs';
import { createApp, type AdminApp } from '../../src/app.ts';
import { loadConfig, type AdminConfig } from '../../src/config.ts';
import { createKafkaLink, type KafkaLink } from '../../src/kafka/kafka-link.ts';
import { jsonCaller, TEST_ADMIN_TOKEN, type Reply } from '../fixture.ts';

export const PARTITIONS = 2;

export interface DeliveredTask {
  key: string;
  headers: Record<string, string>;
  task: DeliveryTask__Output;
}

export interface ReplayFixture {
  app: AdminApp;
  config: Readonly<AdminConfig>;
  db: TestDatabase;
  kafka: Kafka;
  /** A second Kafka link (for runners a test builds itself); closed after the test. */
  link(): KafkaLink;
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;
  /** Saves a processor (shop/order, grpcSend by default) and creates its delivery topic. */
  processor(input: Partial<ProcessorInput> & Pick<ProcessorInput, 'dispatcher_id'>): Promise<ProcessorRecord>;
  /** Records events as the router would (payload, tags, status). */
  events(events: Array<Partial<EventInput> & Pick<EventInput, 'event_id'>>): Promise<void>;
  deliveries(rows: Array<Partial<DeliveryInput> & Pick<DeliveryInput, 'event_id' | 'dispatcher_id' | 'status'>>): Promise<void>;
  /** Every record on the processor's delivery topic (read up to its high watermarks), decoded. */
  tasks(dispatcherId: string): Promise<DeliveredTask[]>;
  waitFor: typeof waitFor;
}

export async function startReplayAdmin(t: TestContext, options: { replayRunner?: boolean; env?: Record<string, string> } = {}): Promise<ReplayFixture> {
  const started: { app?: AdminApp; broker?: TestBroker; links: KafkaLink[] } = { links: [] };
  // Registered before createDatabase's hook: the app and runners stop before their database is dropped.
  t.after(async () => {
    await started.app?.close();
    for (const link of started.links) await link.close();
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  const broker = (started.broker = await startTestBroker({ dirPrefix: 'ey-admin-replay-' }));
  const brokers = `127.0.0.1:${broker.port}`;
  const config = loadConfig({
    EY_DATABASE_URL: db.url,
    EY_KAFKA_BROKERS: brokers,
    EY_ADMIN_PORT: '0',
    EY_ADMIN_HOST: '127.0.0.1',
    EY_HEALTH_PORT: '0',
    EY_SHUTDOWN_GRACE_MS: '1000',
    EY_TOPIC_PARTITIONS: String(PARTITIONS),
    EY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...options.env,
  });
  const app = (started.app = createApp(config, { logger: silentLogger(), ...(options.replayRunner === false ? { replayRunner: false } : {}) }));
  await app.start();
  const kafka = new Kafka({ brokers: [brokers], clientId: 'admin-replay-test', logLevel: logLevel.NOTHING });
  const baseUrl = `http://127.0.0.1:${app.ports.http}`;

  return {
    app,
    config,
    db,
    kafka,
    link() {
      const link = createKafkaLink({ kafka: config.kafka, logger: silentLogger() });
      started.links.push(link);
      return link;
    },
    call: jsonCaller(baseUrl, config.adminToken),
    async processor(input) {
      const record = await upsertProcessor(db.knex, { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1', ...input });
      await ensureTopics(kafka, [Topics.deliveries(input.dispatcher_id)], { partitions: PARTITIONS });
      return record;
    },
    async events(events) {
      await recordEvents(
        db.knex,
        events.map((e) => ({ app_id: 'shop', topic_id: 'order', status: 'routed', payload: Buffer.from(`{"id":"${e.event_id}"}`), ...e })),
      );
    },
    async deliveries(rows) {
      await recordDeliveries(
        db.knex,
        rows.map((row) => ({ app_id: 'shop', topic_id: 'order', ...row })),
      );
    },
    async tasks(dispatcherId) {
      const topic = Topics.deliveries(dispatcherId);
      const admin = kafka.admin();
      await admin.connect();
      let total = 0;
      try {
        total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      } finally {
        await admin.disconnect();
      }
      if (total === 0) return [];
      const records = await readTopic(kafka, topic, (read) => read.length >= total, 20_000);
      if (records.length < total) throw new Error(`read ${records.length} of ${total} records on ${topic}`);
      return records.map((r) => ({ key: r.key, headers: r.headers, task: decodeMessage('eventyard.v1.DeliveryTask', r.value) }));
    },
    waitFor,
  };
}
