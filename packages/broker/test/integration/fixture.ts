// Test fixtures: a broker started in-process on port 0 in a temp dir (closed and removed after the
// test), kafkajs clients tuned for fast tests, random names, and polling with a deadline.
import type { TestContext } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startBroker, type Broker, type BrokerOptions } from '../../src/index.ts';

export interface TestBroker {
  broker: Broker;
  dataDir: string;
  bootstrap: string;
  kafka: (overrides?: Partial<KafkaConfig>) => Kafka;
  /** Registers cleanup (client disconnects) that runs before the broker closes: see cleanup(). */
  defer: (fn: () => Promise<unknown>) => void;
}

const stacks = new WeakMap<TestContext, Array<() => Promise<unknown>>>();

/**
 * Registers cleanup for this test. Everything registered through this file runs last-first in one
 * after-hook (node:test runs its hooks first-first), so clients disconnect before their broker
 * closes, and the broker closes before its data dir is removed.
 */
export function cleanup(t: TestContext, fn: () => Promise<unknown>): void {
  let stack = stacks.get(t);
  if (stack === undefined) {
    const fresh: Array<() => Promise<unknown>> = [];
    stacks.set(t, fresh);
    t.after(async () => {
      for (const step of fresh.reverse()) await step().catch(() => undefined);
    });
    stack = fresh;
  }
  stack.push(fn);
}

export async function tempDir(t: TestContext, prefix = 'ey-broker-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a broker for this test, closed after the test (after the clients registered later with defer). */
export async function createBroker(t: TestContext, options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const broker = await startBroker({ port: 0, groupInitialRebalanceDelayMs: 0, ...options, dataDir });
  cleanup(t, () => broker.close());
  return {
    broker,
    dataDir,
    bootstrap: `127.0.0.1:${broker.port}`,
    kafka: (overrides) => kafkaClient(broker.port, overrides),
    defer: (fn) => cleanup(t, fn),
  };
}

export function kafkaClient(port: number, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'eventyard-test',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
    ...overrides,
  });
}

export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Polls `check` until it returns true or the deadline passes (then throws with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Consumer settings that keep group tests fast: short heartbeats and polls. */
export const FAST_CONSUMER = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 100,
  retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
} as const;
