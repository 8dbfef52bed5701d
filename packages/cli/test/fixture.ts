// Test fixture: a real admin app (createApp from @eventyard/admin) on a fresh migrated database and free
// ports, optionally with the project's broker in-process (replay and redrive publish to Kafka), and the
// real `eventyard` CLI run as a child process against it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createApp, type AdminApp } from '@eventyard/admin';
import { startTestBroker, type TestBroker } from '@eventyard/broker/testing';
import { createKafka, ensureTopics, loadCoreConfig, silentLogger, Topics } from '@eventyard/core';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';

export const CLI = join(import.meta.dirname, '..', 'src', 'main.ts');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliFixture {
  app: AdminApp;
  db: TestDatabase;
  adminUrl: string;
  /** Brokers string when started with a broker. */
  brokers?: string;
  /** Creates processors' delivery topics on the broker (replays publish there). */
  deliveryTopics(dispatcherIds: string[]): Promise<void>;
  /** Runs `eventyard <args>` against this admin (EY_ADMIN_URL set; other EY_* variables cleared). */
  run(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

/** Runs the CLI as a child process, asynchronously: the admin it talks to lives in this process. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EY_') && name !== 'DATABASE_URL' && name !== 'KAFKA_BROKERS'));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function startCliFixture(t: TestContext, options: { broker?: boolean; adminToken?: string } = {}): Promise<CliFixture> {
  const started: { app?: AdminApp; broker?: TestBroker } = {};
  // Registered before createDatabase's hook: the app stops before its database is dropped.
  t.after(async () => {
    await started.app?.close();
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  let brokers: string | undefined;
  if (options.broker === true) {
    started.broker = await startTestBroker({ dirPrefix: 'eventyard-cli-broker-' });
    brokers = started.broker.address;
  }
  // The admin's own loadConfig is not exported; this is the same shape from the core variables.
  const core = loadCoreConfig(brokers === undefined ? {} : { EY_KAFKA_BROKERS: brokers });
  const app = (started.app = createApp(
    {
      ...core,
      healthPort: 0,
      databaseUrl: db.url,
      http: { host: '127.0.0.1', port: 0 },
      bodyLimitBytes: 1024 * 1024,
      shutdownGraceMs: 1000,
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    },
    { logger: silentLogger() },
  ));
  await app.start();
  const adminUrl = `http://127.0.0.1:${app.ports.http}`;
  return {
    app,
    db,
    adminUrl,
    ...(brokers === undefined ? {} : { brokers }),
    deliveryTopics: (dispatcherIds) =>
      ensureTopics(createKafka(core.kafka, { logger: silentLogger() }), dispatcherIds.map((id) => Topics.deliveries(id)), { partitions: 1 }),
    run: (args, env = {}) => runCli(args, { EY_ADMIN_URL: adminUrl, ...env }),
  };
}
