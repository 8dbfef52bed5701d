// Test helpers for anything that talks Kafka: a broker of its own per test (free port, temp data dir),
// read a topic from the beginning with a throwaway consumer group, and poll a condition with a
// deadline. Used by the services' test fixtures (kafkajs is theirs).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeaders, Kafka } from 'kafkajs';
import type { BrokerOptions } from './config.ts';
import { startBroker, type Broker } from './server.ts';

export interface TestBroker {
  /** The bound port, the same after restart(). */
  readonly port: number;
  /** `127.0.0.1:<port>`, for EY_KAFKA_BROKERS and kafkajs `brokers`. */
  readonly address: string;
  readonly dataDir: string;
  /** The running broker (a new instance after restart()). */
  readonly broker: Broker;
  /** Stops the broker; restart() starts it again on the same port and data. */
  stop(): Promise<void>;
  /** Stops it (if running) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the broker and removes its data dir; call it from the test's teardown. Idempotent. */
  close(): Promise<void>;
}

export type TestBrokerOptions = Partial<Omit<BrokerOptions, 'dataDir' | 'port'>> & {
  /** Name prefix of the temp data dir, to tell tests' leftovers apart. @default 'ey-test-broker-' */
  dirPrefix?: string;
};

/**
 * A broker on a free port with a temp data dir. Defaults suit tests: no initial rebalance delay, and
 * appends flushed every 50 ms rather than per produce (tests of durability across a kill pass
 * `flush: { mode: 'always' }`). The caller orders its own teardown and calls close() in it.
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const { dirPrefix = 'ey-test-broker-', ...brokerOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), dirPrefix));
  const settings = { groupInitialRebalanceDelayMs: 0, flush: { mode: 'interval' as const, intervalMs: 50 }, ...brokerOptions, dataDir };
  let broker: Broker;
  try {
    broker = await startBroker({ ...settings, port: 0 });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = broker.port;
  let closed = false;
  return {
    port,
    address: `127.0.0.1:${port}`,
    dataDir,
    get broker() {
      return broker;
    },
    stop: () => broker.close(),
    async restart() {
      await broker.close();
      broker = await startBroker({ ...settings, port });
    },
    async close() {
      if (closed) return;
      closed = true;
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ReadRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The record's timestamp (CreateTime: when the producing client built it), epoch ms. */
  timestamp: number;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = String(value);
  return out;
}

/**
 * Reads `topic` from the beginning until `isDone(records)` or `timeoutMs`, then leaves the group.
 * Returns what was read either way, so a test asserts on what it got.
 */
export async function readTopic(kafka: Kafka, topic: string, isDone: (records: ReadRecord[]) => boolean, timeoutMs: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${randomBytes(6).toString('hex')}`,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 100,
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        records.push({
          key: message.key?.toString('utf8') ?? '',
          value: message.value ?? Buffer.alloc(0),
          headers: headersOf(message.headers),
          partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
        });
        if (isDone(records)) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
