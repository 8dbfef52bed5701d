// Test fixture: an in-process broker (temp dataDir, port 0), a fresh migrated database, and the producer
// built with createApp on free ports; plus a kafkajs reader to see what landed on a topic.
import type { TestContext } from 'node:test';
import { readTopic, startTestBroker, waitFor, type ReadRecord, type TestBroker } from '@eventyard/broker/testing';
import { silentLogger, type Logger } from '@eventyard/core';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { createReportClient, type ReportClient } from '@eventyard/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { createApp, type ProducerApp } from '../src/app.ts';
import type { ReportFaults } from '../src/report/report-service.ts';
import { loadConfig } from '../src/config.ts';

export interface ProducerFixture {
  app: ProducerApp;
  broker: TestBroker;
  db: TestDatabase;
  kafka: Kafka;
  client: ReportClient;
  httpUrl: string;
  /** Stops the broker (an outage). */
  stopBroker(): Promise<void>;
  /** Starts the broker again on the same port and data dir. */
  restartBroker(): Promise<void>;
  /** Records on `topic` from the beginning, until `done(records)` holds or the deadline passes. */
  readTopic(topic: string, done: (records: ReadRecord[]) => boolean, timeoutMs?: number): Promise<ReadRecord[]>;
}

export async function startProducer(
  t: TestContext,
  env: Record<string, string> = {},
  options: { logger?: Logger; faults?: ReportFaults } = {},
): Promise<ProducerFixture> {
  // Registered before createDatabase's own hook: after-hooks run in registration order, and the app must
  // stop before its database is dropped.
  const started: { app?: ProducerApp; broker?: TestBroker; client?: ReportClient } = {};
  t.after(async () => {
    started.client?.close();
    await started.app?.close();
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  const broker = (started.broker = await startTestBroker({ dirPrefix: 'ey-producer-test-' }));
  const config = loadConfig({
    EY_DATABASE_URL: db.url,
    EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
    EY_GRPC_PORT: '0',
    EY_HTTP_PORT: '0',
    EY_HEALTH_PORT: '0',
    EY_GRPC_HOST: '127.0.0.1',
    EY_HTTP_HOST: '127.0.0.1',
    EY_TOPIC_PARTITIONS: '2',
    EY_SHUTDOWN_GRACE_MS: '2000',
    // Most tests report anonymously; the auth tests ask for EY_REQUIRE_API_KEY=true (the default) themselves.
    EY_REQUIRE_API_KEY: 'false',
    ...env,
  });
  const app = (started.app = createApp(config, {
    logger: options.logger ?? silentLogger(),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  }));
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'producer-test', logLevel: logLevel.NOTHING });
  await app.start();
  const client = (started.client = createReportClient({ address: `127.0.0.1:${app.ports.grpc}`, deadlineMs: 15_000 }));
  return {
    app,
    broker,
    db,
    kafka,
    client,
    httpUrl: `http://127.0.0.1:${app.ports.http}`,
    stopBroker: () => broker.stop(),
    restartBroker: () => broker.restart(),
    readTopic: (topic, done, timeoutMs = 15_000) => readTopic(kafka, topic, done, timeoutMs),
  };
}

export { waitFor, type ReadRecord };
