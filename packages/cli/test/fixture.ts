// Test fixture: a real admin service on a fresh migrated database and free ports, optionally with the
// project's broker in-process (replay and redrive publish to Kafka), and the real `eventyard` CLI run as a
// child process against it. The admin runs as its own process (`eventyard service admin`, as in
// production): a package never imports a service, and the CLI only ever reaches the admin over HTTP.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startTestBroker, type TestBroker } from '@eventyard/broker/testing';
import { createKafka, ensureTopics, loadCoreConfig, silentLogger, Topics } from '@eventyard/core';
import { findFreePort } from '@eventyard/db';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import { SERVICES } from '../src/stack.ts';

export const CLI = join(import.meta.dirname, '..', 'src', 'main.ts');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The admin token of every fixture admin unless a test gives its own (the admin refuses to start without one). */
export const TEST_ADMIN_TOKEN = 'cli-fixture-admin-token-0123';

export interface CliFixture {
  db: TestDatabase;
  adminUrl: string;
  /** The token the admin runs with. */
  adminToken: string;
  /** Brokers string when started with a broker. */
  brokers?: string;
  /** Creates processors' delivery topics on the broker (replays publish there). */
  deliveryTopics: (dispatcherIds: string[]) => Promise<void>;
  /**
   * Runs `eventyard <args>` against this admin (EY_ADMIN_URL and EY_ADMIN_TOKEN set; other EY_* variables
   * cleared); env EY_ADMIN_TOKEN '' runs it without a token.
   */
  run: (args: string[], env?: Record<string, string>) => Promise<RunResult>;
}

const NO_DEV_DATA_DIR = join(tmpdir(), 'eventyard-cli-test-no-dev-data');

/** Runs the CLI as a child process, asynchronously: stdout and stderr are collected whole. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    // EY_DATA_DIR: a dir without a dev admin token, so a `pnpm start` data dir in the checkout is never read.
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...cleanEnv(), EY_DATA_DIR: NO_DEV_DATA_DIR, ...env }, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** How long the admin process may take to answer after it was spawned. */
const ADMIN_START_TIMEOUT_MS = 60_000;

export async function startCliFixture(t: TestContext, options: { broker?: boolean; adminToken?: string } = {}): Promise<CliFixture> {
  const started: { admin?: ChildProcess; broker?: TestBroker } = {};
  // Registered before createDatabase's hook: the admin stops before its database is dropped.
  t.after(async () => {
    await stopProcess(started.admin);
    await started.broker?.close();
  });
  const db = await createDatabase(t);
  let brokers: string | undefined;
  if (options.broker === true) {
    started.broker = await startTestBroker({ dirPrefix: 'eventyard-cli-broker-' });
    brokers = started.broker.address;
  }
  const core = loadCoreConfig(brokers === undefined ? {} : { EY_KAFKA_BROKERS: brokers });
  const adminToken = options.adminToken ?? TEST_ADMIN_TOKEN;
  const port = await findFreePort();
  const admin = (started.admin = spawn(process.execPath, [CLI, 'service', 'admin'], {
    env: {
      ...cleanEnv(),
      EY_DATABASE_URL: db.url,
      EY_ADMIN_HOST: '127.0.0.1',
      EY_ADMIN_PORT: String(port),
      EY_HEALTH_PORT: '0',
      EY_SHUTDOWN_GRACE_MS: '1000',
      EY_LOG_LEVEL: 'warn',
      // Processors in these tests point at loopback, which the admin refuses unless allowed (as `eventyard dev`).
      EY_EGRESS_ALLOW: '127.0.0.0/8,::1',
      ...(brokers === undefined ? {} : { EY_KAFKA_BROKERS: brokers }),
      EY_ADMIN_TOKEN: adminToken,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const adminUrl = `http://127.0.0.1:${port}`;
  await waitForAdmin(admin, adminUrl);
  return {
    db,
    adminUrl,
    adminToken,
    ...(brokers === undefined ? {} : { brokers }),
    deliveryTopics: (dispatcherIds) =>
      ensureTopics(
        createKafka(core.kafka, { logger: silentLogger() }),
        dispatcherIds.map((id) => Topics.deliveries(id)),
        { partitions: 1 },
      ),
    run: (args, env = {}) => runCli(args, { EY_ADMIN_URL: adminUrl, EY_ADMIN_TOKEN: adminToken, ...env }),
  };
}

/** This process's environment without the variables that would point a child at another stack. */
/** The test process's environment without any EY_* (or legacy) variable that would steer the CLI. */
export function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EY_') && name !== 'DATABASE_URL' && name !== 'KAFKA_BROKERS'));
}

/** Every port `eventyard dev` runs a service on (service and health ports), shifted by the offset. */
export function devServicePorts(offset: number): number[] {
  return SERVICES.flatMap((s) => [s.healthPort, ...s.ports.map((p) => p.port)]).map((port) => port + offset);
}

/**
 * A --port-offset putting every service port of `eventyard dev` on a free port below Linux's ephemeral
 * range (32768+), where other tests' port-0 sockets cannot take them meanwhile, and on none of `taken`
 * (the --pg-port and --kafka-port a test picked: dev refuses a port wanted twice, which CI once hit).
 */
export async function freePortOffset(taken: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 10_000 + Math.floor(Math.random() * 13_000);
    const ports = devServicePorts(offset);
    if (ports.some((port) => taken.includes(port))) continue;
    if ((await Promise.all(ports.map(isFreeOnLoopback))).every(Boolean)) return offset;
  }
  throw new Error('no free port offset found for the dev stack');
}

function isFreeOnLoopback(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls /openapi.json (open whatever the token) until the admin answers; fails with its output if it exits. */
async function waitForAdmin(admin: ChildProcess, adminUrl: string): Promise<void> {
  let output = '';
  admin.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  admin.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + ADMIN_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (admin.exitCode !== null) throw new Error(`admin exited with ${admin.exitCode} before answering:\n${output}`);
    try {
      const response = await fetch(`${adminUrl}/openapi.json`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`admin did not answer at ${adminUrl} within ${ADMIN_START_TIMEOUT_MS} ms:\n${output}`);
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
