// Test fixture: `createDatabase(t)` gives each caller a fresh, migrated database. One embedded PostgreSQL
// per test process is started lazily on first use and shared by every test in the file; it is stopped
// and its temp dir removed when the process exits. EY_TEST_DATABASE_URL points the fixture at an
// existing server instead (databases are still created and dropped per call).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import type { Knex } from 'knex';
import { createKnex, migrateLatest } from './connection.ts';
import type { ProcessorRecord } from './processors.ts';
import { removeAfterExit, startEmbeddedPostgres } from './embedded-postgres.ts';

export interface TestDatabase {
  knex: Knex;
  /** URL of the fresh database, for child processes or a second pool. */
  url: string;
  /** Name of the database on the shared server. */
  name: string;
}

export interface CreateDatabaseOptions {
  /** @default true */
  migrate?: boolean;
  /** @default 5 */
  poolMax?: number;
}

// A throwaway cluster: syncing costs seconds when test files run in parallel.
const SHARED_SERVER = { unref: true, durable: false, settings: { max_connections: '200' } } as const;

let serverUrl: Promise<string> | undefined;
/** The embedded server this process started (none when EY_TEST_DATABASE_URL points elsewhere). */
let embedded: { server: Awaited<ReturnType<typeof startEmbeddedPostgres>>; root: string } | undefined;

/** URL of the server the fixture creates databases on (starts the embedded one on first call). */
export function testServerUrl(): Promise<string> {
  serverUrl ??= startSharedServer();
  return serverUrl;
}

async function startSharedServer(): Promise<string> {
  const external = process.env.EY_TEST_DATABASE_URL;
  if (external !== undefined && external !== '') return external;
  // The temp dir itself is the data dir: as root it is handed to the postgres user, and its parent
  // (the system temp dir) is searchable by everyone.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-test-pg-'));
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres({ dataDir: root, ...SHARED_SERVER });
  } catch (err) {
    await fs.rm(root, { recursive: true, force: true });
    throw err;
  }
  embedded = { server, root };
  // The server's own exit hook sends it SIGINT; this removes the cluster once it has gone.
  process.on('exit', () => {
    const current = embedded?.server;
    if (current?.pid !== undefined) removeAfterExit(current.pid, root);
  });
  return server.url;
}

/**
 * Stops the shared embedded server (a fast shutdown: committed data is kept) and starts it again on
 * the same port and data, for tests of what services do across a Postgres restart. `downMs` keeps it
 * down that long first.
 */
export async function restartTestServer(downMs = 0): Promise<void> {
  await testServerUrl();
  if (embedded === undefined) throw new Error('restartTestServer needs the embedded test server (EY_TEST_DATABASE_URL is set)');
  const { server, root } = embedded;
  await server.stop();
  if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
  embedded = {
    root,
    server: await startEmbeddedPostgres({ dataDir: root, port: server.port, ...SHARED_SERVER }),
  };
}

/** A fresh database with the schema applied; dropped (and its pool closed) after the test. */
export async function createDatabase(t: TestContext, options: CreateDatabaseOptions = {}): Promise<TestDatabase> {
  const base = await testServerUrl();
  const name = `ey_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const url = withDatabase(base, name);
  const knex = createKnex(url, { poolMax: options.poolMax ?? 5, applicationName: 'eventyard-test' });
  t.after(async () => {
    await knex.destroy();
    await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  if (options.migrate ?? true) await migrateLatest(knex);
  return { knex, url, name };
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A whole `processors` row as the services read it, every column at its default (a gRPC processor of app
 * "shop", topic "order"), with `fields` over it: for unit tests that route or deliver without a database.
 */
export function processorRecord(fields: Partial<ProcessorRecord> = {}): ProcessorRecord {
  return {
    dispatcher_id: 'p',
    app_id: 'shop',
    topic_id: 'order',
    protocol_type: 'grpcSend',
    addr: '127.0.0.1:1',
    timeout: 0,
    retry_strategy: {},
    is_retry: false,
    is_flow_control: false,
    flow_control_strategy: {},
    is_stop: false,
    filter_tag: {},
    delay_process_key: '',
    filter: null,
    ordered: false,
    paused: false,
    concurrency: 0,
    webhook_secret: null,
    webhook_secret_previous: null,
    webhook_secret_previous_expires_at: null,
    auth_token: null,
    tls: null,
    circuit_breaker: null,
    transform: null,
    transform_headers: false,
    webhook_format: 'evhub',
    owner: null,
    description: '',
    version: 1,
    created_at: new Date(0),
    updated_at: new Date(0),
    ...fields,
  };
}
