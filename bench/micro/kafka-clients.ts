// The Kafka client spike of issue #16: kafkajs (as createKafka/createProducer make it) against
// @platformatic/kafka with the same settings (idempotent, acks -1, Java's murmur2 partitioner, no
// auto-created topics; consumers with a fresh group, minBytes 1, the same heartbeat, no commits while
// measuring), on the project's broker run as its own process. Per client: (a) produce→consume of 256-byte
// records paced at --rate, one record per send (what a Report costs today); (b) the same rate in sends of
// --batch records; (c) a burst of --burst records, one per send, 64 sends in flight; (d) connected and
// idle for --idle-seconds. For each: records/s; CPU of the producing process (this one), of the consuming
// process (a child, so each side's CPU is its own) and of the broker (/proc), per record or, idle, per
// second; produce→consume latency p50/p99 (the send time travels in the value). The clients alternate in
// rounds (a warm-up round first, not counted; the order flips every round) because a loaded machine makes
// separate runs incomparable; medians over the rounds are printed side by side with their ratio, beside a
// raw TCP echo between two processes of the same run. docs/adr/0006-kafka-client.md reads these numbers.
//   node bench/micro/kafka-clients.ts [--seconds 5] [--rate 1000] [--batch 20] [--burst 5000] [--idle-seconds 10] [--rounds 2]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compatibilityPartitioner, Consumer, Producer } from '@platformatic/kafka';
import type { EachBatchPayload } from 'kafkajs';
import { createKafka, createProducer, silentLogger } from '@eventyard/core';
import { findFreePort } from '@eventyard/db';
import { readStat } from '../e2e/cpu-time.ts';
import { median } from '../e2e/report.ts';

const PAYLOAD = Buffer.alloc(256, 'p');
/** What every record the services produce carries (the W3C trace context), so headers cost as in production. */
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const IN_FLIGHT = 64;
const PARTITIONS = 3;
/** A fetch with nothing to read waits this long; minBytes 1 answers as soon as a record is appended. */
const MAX_WAIT_MS = 500;
/** The group heartbeat of both consumers (the router's: a tenth of a 10 s session). */
const HEARTBEAT_MS = 1000;

interface Options {
  seconds: number;
  'idle-seconds': number;
  rate: number;
  batch: number;
  burst: number;
  rounds: number;
}

/** A record as both clients send it: its key is its index, its value starts with its send time. */
interface BenchRecord {
  key: Buffer;
  value: Buffer;
}

interface Closable {
  close(): Promise<void>;
}

interface ClientUnderTest {
  name: string;
  /** A producer: `send` resolves once the broker acknowledged all of `records` (one produce call). */
  producer(brokers: string): Promise<Closable & { send(topic: string, records: readonly BenchRecord[]): Promise<void> }>;
  /** A consumer of `topic` in a fresh group from the beginning, handing every record to `received`. */
  consumer(brokers: string, topic: string, received: (key: Buffer, value: Buffer) => void): Promise<Closable>;
}

const kafkajs: ClientUnderTest = {
  name: 'kafkajs 2.2.4',
  async producer(brokers) {
    const kafka = createKafka({ brokers: [brokers], clientId: 'bench-kafkajs' }, { logger: silentLogger() });
    // The services' producer settings (createProducer), with a bounded retry as every service sets one.
    const producer = createProducer(kafka, { retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
    await producer.connect();
    return {
      send: async (topic, records) => {
        await producer.send({ topic, acks: -1, messages: records.map(({ key, value }) => ({ key, value, headers: { traceparent: TRACEPARENT } })) });
      },
      close: () => producer.disconnect(),
    };
  },
  async consumer(brokers, topic, received) {
    const kafka = createKafka({ brokers: [brokers], clientId: 'bench-kafkajs' }, { logger: silentLogger() });
    const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: MAX_WAIT_MS, minBytes: 1, sessionTimeout: 10_000, heartbeatInterval: HEARTBEAT_MS });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // eachBatch without auto-resolve or auto-commit, resolving the batch once handled: how the router and
    // the dispatcher consume (an unresolved batch would be fetched again and again).
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload: EachBatchPayload) => {
        for (const message of payload.batch.messages) if (message.key !== null && message.value !== null) received(message.key, message.value);
        payload.resolveOffset(payload.batch.lastOffset());
        return Promise.resolve();
      },
    });
    return { close: () => consumer.disconnect() };
  },
};

const platformatic: ClientUnderTest = {
  name: '@platformatic/kafka 2.12.1',
  producer(brokers) {
    // Its default partitioner is murmur2 >>> 0, which puts about half of all keys on another partition
    // than Java and kafkajs (murmur2 & 0x7fffffff); compatibilityPartitioner is Java's.
    const producer = new Producer({
      clientId: 'bench-platformatic',
      bootstrapBrokers: [brokers],
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
      retries: 5,
    });
    // Without serializers, header names are Buffers too (a Record's string keys fail at send time).
    const headers = new Map([[Buffer.from('traceparent'), Buffer.from(TRACEPARENT)]]);
    return Promise.resolve({
      send: async (topic, records) => {
        await producer.send({ messages: records.map(({ key, value }) => ({ topic, key, value, headers })) });
      },
      close: () => producer.close(),
    });
  },
  async consumer(brokers, topic, received) {
    const consumer = new Consumer({
      clientId: 'bench-platformatic',
      groupId: topic,
      bootstrapBrokers: [brokers],
      maxWaitTime: MAX_WAIT_MS,
      minBytes: 1,
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_MS,
      autocommit: false,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    stream.on('data', (message) => received(message.key, message.value));
    return {
      close: async () => {
        await stream.close();
        await consumer.close(true);
      },
    };
  },
};

const CLIENTS = [kafkajs, platformatic];

type Drive = { kind: 'paced'; rate: number; seconds: number; perSend: number } | { kind: 'burst'; count: number } | { kind: 'idle'; seconds: number };

interface Measure {
  /** Records received more than once (none expected: no failures, no rebalance). */
  duplicates: number;
  perSecond: number;
  /** CPU µs per record of the process that produces (this one). */
  producerUs: number;
  /** CPU µs per record of the process that consumes (a child: `consume`). */
  consumerUs: number;
  brokerUs: number;
  p50: number;
  p99: number;
}

/** Wall-clock time in ms with sub-ms resolution, comparable between processes of one machine. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** What the consuming child and this process tell each other over IPC. */
type ChildMessage =
  | { kind: 'opened' }
  | { kind: 'ready' }
  | { kind: 'started' }
  | { kind: 'done'; cpuUs: number; latencies: number[]; duplicates: number }
  | { kind: 'cpu'; cpuUs: number }
  | { kind: 'start' }
  | { kind: 'report' }
  | { kind: 'close' };

/** The next IPC message of `kind` from `child`; rejects when the child exits or after `timeoutMs`. */
function nextMessage<K extends ChildMessage['kind']>(child: ChildProcess, kind: K, timeoutMs: number): Promise<Extract<ChildMessage, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage): void => {
      if (message.kind !== kind) return;
      done();
      resolve(message as Extract<ChildMessage, { kind: K }>);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`consumer process exited with ${code} waiting for ${kind}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for the consumer process: ${kind}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The consuming side, run as `consume <client> <brokers> <topic> <total>` in a child process so that its
 * CPU is its own: says `opened`, then `ready` once record `total` (the warm-up record) arrived; on
 * `start` it zeroes its CPU count and answers `started`; once `total` records arrived it reports `done`;
 * `report` asks for its CPU since `start` (the idle measure).
 */
async function consumeChild(clientIndex: number, brokers: string, topic: string, total: number): Promise<void> {
  const client = CLIENTS[clientIndex];
  if (client === undefined) throw new Error(`no client ${clientIndex}`);
  const seen = new Uint8Array(total + 1);
  const latencies: number[] = [];
  let duplicates = 0;
  let cpu = process.cpuUsage();
  const received = (key: Buffer, value: Buffer): void => {
    const index = Number(key.toString('latin1'));
    if (index === total) {
      process.send?.({ kind: 'ready' } satisfies ChildMessage);
      return;
    }
    if (seen[index] === 1) {
      duplicates++; // a redelivery is not a new record's latency
      return;
    }
    seen[index] = 1;
    latencies.push(nowMs() - value.readDoubleLE(0));
    if (latencies.length === total) {
      const used = process.cpuUsage(cpu);
      process.send?.({ kind: 'done', cpuUs: used.user + used.system, latencies, duplicates } satisfies ChildMessage);
    }
  };
  const consumer = await client.consumer(brokers, topic, received);
  process.on('message', (message: ChildMessage) => {
    if (message.kind === 'start') {
      cpu = process.cpuUsage();
      process.send?.({ kind: 'started' } satisfies ChildMessage);
    } else if (message.kind === 'report') {
      const used = process.cpuUsage(cpu);
      process.send?.({ kind: 'cpu', cpuUs: used.user + used.system } satisfies ChildMessage);
    } else if (message.kind === 'close') {
      void consumer.close().finally(() => process.exit(0));
    }
  });
  process.send?.({ kind: 'opened' } satisfies ChildMessage);
}

/**
 * Nearest rank, ceil(p% × n): one rank below bench/e2e/report.ts's `percentile` at p99. Kept, as ADR 0006
 * and the README quote this bench's numbers taken with it.
 */
function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
}

/** How many records `drive` sends. */
function recordCount(drive: Drive): number {
  return drive.kind === 'burst' ? drive.count : drive.kind === 'paced' ? drive.rate * drive.seconds : 0;
}

/** Sends records 0…n−1 as `drive` says through `send`, which takes one send's indices. */
async function driveSends(drive: Drive, send: (indices: number[]) => Promise<void>): Promise<void> {
  const total = recordCount(drive);
  if (drive.kind === 'burst') {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < total) await send([next++]);
      }),
    );
    return;
  }
  if (drive.kind === 'idle') return;
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let first = 0; first < total; first += drive.perSend) {
    const wait = started + (first * 1000) / drive.rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(send(Array.from({ length: Math.min(drive.perSend, total - first) }, (_, k) => first + k)));
  }
  await Promise.all(sends);
}

/** A producer here and a consumer in a child process on a fresh topic, one record passed end to end. */
interface Pair {
  child: ChildProcess;
  send: (indices: readonly number[]) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Opens a pair for `total` records and passes record `total` through it (the group has joined and a
 * fetch waits), then zeroes the child's CPU count: what follows is the measure.
 */
async function openPair(clientIndex: number, brokers: string, total: number, createTopic: (topic: string) => Promise<void>): Promise<Pair> {
  const client = CLIENTS[clientIndex];
  if (client === undefined) throw new Error(`no client ${clientIndex}`);
  const topic = `bench-clients-${client.name.replace(/[^a-z]/g, '')}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await createTopic(topic);
  const child = fork(import.meta.filename, ['consume', String(clientIndex), brokers, topic, String(total)], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ kind: 'close' } satisfies ChildMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const producer = await client.producer(brokers);
    const record = (index: number): BenchRecord => {
      const value = Buffer.from(PAYLOAD);
      value.writeDoubleLE(nowMs(), 0);
      return { key: Buffer.from(String(index)), value };
    };
    const send = (indices: readonly number[]): Promise<void> => producer.send(topic, indices.map(record));
    try {
      await nextMessage(child, 'opened', 30_000);
      const ready = nextMessage(child, 'ready', 30_000);
      await send([total]);
      await ready;
      const started = nextMessage(child, 'started', 10_000);
      child.send({ kind: 'start' } satisfies ChildMessage);
      await started;
    } catch (err) {
      await producer.close();
      throw err;
    }
    return {
      child,
      send,
      close: async () => {
        await producer.close();
        await close();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One client, one drive: measures from the first send until the child has every record. */
async function measureClient(
  clientIndex: number,
  brokers: string,
  brokerPid: number,
  drive: Drive,
  createTopic: (topic: string) => Promise<void>,
): Promise<Measure> {
  const total = recordCount(drive);
  const pair = await openPair(clientIndex, brokers, total, createTopic);
  try {
    const done = nextMessage(pair.child, 'done', 120_000);
    const cpu = process.cpuUsage();
    const brokerBefore = readStat(brokerPid)?.cpuSeconds ?? NaN;
    const startedAt = performance.now();
    await driveSends(drive, pair.send);
    const used = process.cpuUsage(cpu);
    const consumed = await done;
    const seconds = (performance.now() - startedAt) / 1000;
    const brokerSeconds = (readStat(brokerPid)?.cpuSeconds ?? NaN) - brokerBefore;
    const sorted = consumed.latencies.sort((a, b) => a - b);
    return {
      duplicates: consumed.duplicates,
      perSecond: total / seconds,
      producerUs: (used.user + used.system) / total,
      consumerUs: consumed.cpuUs / total,
      brokerUs: (brokerSeconds * 1e6) / total,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  } finally {
    await pair.close();
  }
}

/**
 * One client connected and idle for `seconds` (a group member heartbeating, a fetch long-polling, a
 * producer with nothing to send): CPU ms per second of each process, in the Measure's CPU fields.
 */
async function measureIdle(
  clientIndex: number,
  brokers: string,
  brokerPid: number,
  seconds: number,
  createTopic: (topic: string) => Promise<void>,
): Promise<Measure> {
  const pair = await openPair(clientIndex, brokers, 1, createTopic);
  try {
    // A restart of the child's count, so the window below is the same for all three processes.
    const started = nextMessage(pair.child, 'started', 10_000);
    pair.child.send({ kind: 'start' } satisfies ChildMessage);
    await started;
    const cpu = process.cpuUsage();
    const brokerBefore = readStat(brokerPid)?.cpuSeconds ?? NaN;
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const used = process.cpuUsage(cpu);
    const reported = nextMessage(pair.child, 'cpu', 10_000);
    pair.child.send({ kind: 'report' } satisfies ChildMessage);
    const consumer = await reported;
    const brokerSeconds = (readStat(brokerPid)?.cpuSeconds ?? NaN) - brokerBefore;
    const elapsed = (performance.now() - startedAt) / 1000;
    return {
      duplicates: 0,
      perSecond: NaN,
      producerUs: (used.user + used.system) / 1000 / elapsed,
      consumerUs: consumer.cpuUs / 1000 / elapsed,
      brokerUs: (brokerSeconds * 1000) / elapsed,
      p50: NaN,
      p99: NaN,
    };
  } finally {
    await pair.close();
  }
}

/** The machine's raw ceiling: 256-byte writes echoed by another process over loopback TCP, as `drive` says. */
async function echoCeiling(drive: Drive): Promise<Measure> {
  const server = fork(import.meta.filename, ['echo-server'], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => server.once('message', (m) => resolve(m as number)));
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    // Replies come back in order as a byte stream: a call is answered once its bytes are all back.
    const waiting: Array<{ bytes: number; resolve: () => void }> = [];
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      for (let first = waiting[0]; first !== undefined && received >= first.bytes; first = waiting[0]) {
        received -= first.bytes;
        waiting.shift();
        first.resolve();
      }
    });
    /** One write of `records` payloads (a send of that many records), answered when echoed whole. */
    const call = (records: number): Promise<void> =>
      new Promise((resolve) => {
        const bytes = Buffer.concat(Array.from({ length: records }, () => PAYLOAD));
        waiting.push({ bytes: bytes.length, resolve });
        socket.write(bytes);
      });
    const total = recordCount(drive);
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const serverBefore = readStat(server.pid ?? 0)?.cpuSeconds ?? NaN;
    const started = performance.now();
    await driveSends(drive, async (indices) => {
      const sent = performance.now();
      await call(indices.length);
      for (let k = 0; k < indices.length; k++) latencies.push(performance.now() - sent);
    });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const serverSeconds = (readStat(server.pid ?? 0)?.cpuSeconds ?? NaN) - serverBefore;
    socket.destroy();
    const sorted = latencies.sort((a, b) => a - b);
    return {
      duplicates: 0,
      perSecond: total / seconds,
      producerUs: (used.user + used.system) / total,
      consumerUs: NaN,
      brokerUs: (serverSeconds * 1e6) / total,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  } finally {
    server.kill();
  }
}

/** The project's broker as its own process (the CLI's `broker` command), so its CPU is its own. */
async function startBrokerProcess(): Promise<{ child: ChildProcess; address: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-bench-clients-'));
  const port = await findFreePort();
  const cli = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');
  // --flush interval: Apache Kafka's default behaviour, and what bench/e2e runs by default.
  const child = spawn(process.execPath, [cli, 'broker', '--port', String(port), '--data-dir', dataDir, '--flush', 'interval'], {
    env: { ...process.env, EY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error('broker did not listen within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, address: `127.0.0.1:${port}`, stop };
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rate: { type: 'string', default: '1000' },
      batch: { type: 'string', default: '20' },
      'idle-seconds': { type: 'string', default: '10' },
      burst: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const options = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Number(value)])) as unknown as Options;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} wants a positive integer, got ${JSON.stringify(values[name as keyof typeof values])}`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const phases: Array<{ name: string; idle?: boolean; drive: (warmUp: boolean) => Drive }> = [
    {
      name: `(a) paced ${options.rate}/s, 1 record per send`,
      drive: (warmUp) => ({ kind: 'paced', rate: options.rate, seconds: warmUp ? 1 : options.seconds, perSend: 1 }),
    },
    {
      name: `(b) paced ${options.rate}/s, ${options.batch} records per send`,
      drive: (warmUp) => ({ kind: 'paced', rate: options.rate, seconds: warmUp ? 1 : options.seconds, perSend: options.batch }),
    },
    {
      name: `(c) burst, ${IN_FLIGHT} sends in flight, 1 record per send`,
      drive: (warmUp) => ({ kind: 'burst', count: warmUp ? Math.min(1000, options.burst) : options.burst }),
    },
    {
      name: '(d) idle: connected, a group member, nothing to send',
      idle: true,
      drive: (warmUp) => ({ kind: 'idle', seconds: warmUp ? 1 : options['idle-seconds'] }),
    },
  ];
  // results[phase][client] = one Measure per counted round; ceiling[phase] likewise.
  const results = phases.map(() => CLIENTS.map((): Measure[] => []));
  const ceiling = phases.map((): Measure[] => []);
  const started = performance.now();
  const broker = await startBrokerProcess();
  // Whatever way this process ends, the broker ends with it.
  const killBroker = (): void => void broker.child.kill('SIGKILL');
  process.once('exit', killBroker);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const kafka = createKafka({ brokers: [broker.address], clientId: 'bench-admin' }, { logger: silentLogger() });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const createTopic = async (topic: string): Promise<void> => {
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    };
    for (let round = 0; round <= options.rounds; round++) {
      const warmUp = round === 0;
      const order = round % 2 === 1 ? CLIENTS : [...CLIENTS].reverse();
      for (const [p, phase] of phases.entries()) {
        const drive = phase.drive(warmUp);
        for (const client of order) {
          const index = CLIENTS.indexOf(client);
          const pid = broker.child.pid ?? 0;
          const label = `${warmUp ? 'warm-up' : `round ${round}`}  ${phase.name}  ${client.name}`;
          let measure: Measure;
          if (drive.kind === 'idle') {
            measure = await measureIdle(index, broker.address, pid, drive.seconds, createTopic);
            process.stderr.write(
              `${label}: ${measure.producerUs.toFixed(1)} + ${measure.consumerUs.toFixed(1)} + ${measure.brokerUs.toFixed(1)} ms CPU per s (producer + consumer + broker)\n`,
            );
          } else {
            measure = await measureClient(index, broker.address, pid, drive, createTopic);
            process.stderr.write(
              `${label}: ${measure.perSecond.toFixed(0)}/s, ${measure.producerUs.toFixed(0)} + ${measure.consumerUs.toFixed(0)} + ${measure.brokerUs.toFixed(0)} µs ` +
                `CPU per record (producer + consumer + broker), p50 ${measure.p50.toFixed(1)} ms, p99 ${measure.p99.toFixed(1)} ms, ${measure.duplicates} duplicates\n`,
            );
          }
          if (!warmUp) results[p]?.[CLIENTS.indexOf(client)]?.push(measure);
        }
        if (drive.kind === 'idle') continue;
        const echo = await echoCeiling(drive);
        if (!warmUp) ceiling[p]?.push(echo);
      }
    }
  } finally {
    await admin.disconnect();
    await broker.stop();
  }
  print(options, phases, results, ceiling, (performance.now() - started) / 1000);
}

function print(options: Options, phases: Array<{ name: string; idle?: boolean }>, results: Measure[][][], ceiling: Measure[][], seconds: number): void {
  type Metric = { label: string; pick: (m: Measure) => number; digits: number };
  const idleMetrics: Metric[] = [
    { label: 'CPU ms per s, producer process', pick: (m) => m.producerUs, digits: 2 },
    { label: 'CPU ms per s, consumer process', pick: (m) => m.consumerUs, digits: 2 },
    { label: 'CPU ms per s, broker process', pick: (m) => m.brokerUs, digits: 2 },
    { label: 'CPU ms per s, all three', pick: (m) => m.producerUs + m.consumerUs + m.brokerUs, digits: 2 },
  ];
  const metrics: Metric[] = [
    { label: 'records/s', pick: (m) => m.perSecond, digits: 0 },
    { label: 'CPU µs/record, producer process', pick: (m) => m.producerUs, digits: 1 },
    { label: 'CPU µs/record, consumer process', pick: (m) => m.consumerUs, digits: 1 },
    { label: 'CPU µs/record, broker process', pick: (m) => m.brokerUs, digits: 1 },
    { label: 'CPU µs/record, all three', pick: (m) => m.producerUs + (Number.isNaN(m.consumerUs) ? 0 : m.consumerUs) + m.brokerUs, digits: 1 },
    { label: 'latency p50 ms', pick: (m) => m.p50, digits: 2 },
    { label: 'latency p99 ms', pick: (m) => m.p99, digits: 2 },
  ];
  const [a, b] = CLIENTS;
  const header = ['measure', a?.name ?? '', b?.name ?? '', 'ratio (2nd / 1st)', 'per-round ratios', 'raw TCP echo'];
  const rows: string[][] = [];
  for (const [p, phase] of phases.entries()) {
    rows.push([phase.name, '', '', '', '', '']);
    const [first = [], second = []] = results[p] ?? [];
    for (const metric of phase.idle === true ? idleMetrics : metrics) {
      const x = median(first.map(metric.pick));
      const y = median(second.map(metric.pick));
      const perRound = first.map((m, i) => {
        const other = second[i];
        return other === undefined ? NaN : metric.pick(other) / metric.pick(m);
      });
      const echo = median((ceiling[p] ?? []).map(metric.pick));
      rows.push([
        `  ${metric.label}`,
        x.toFixed(metric.digits),
        y.toFixed(metric.digits),
        (y / x).toFixed(2),
        perRound.length === 0 ? '' : `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
        Number.isNaN(echo) ? '–' : echo.toFixed(metric.digits),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(
    `Kafka clients on the project's broker (own process, --flush interval), ${PARTITIONS} partitions, 256-byte records with a traceparent header; ` +
      `${options.rounds} rounds after a warm-up, medians, the clients' order flipped every round; paced rows ${options.seconds} s, idle rows ${options['idle-seconds']} s per round`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nraw TCP echo: 256-byte writes (one per send) echoed by another process over loopback, driven like the row; its "producer" ` +
      `is the writing process, its "broker" the echoing one. Per-round ratios are each round's 2nd / 1st: a range that excludes ` +
      `1.00 is a difference every round agreed on. (run took ${seconds.toFixed(0)} s)`,
  );
}

// This file is also its own child processes: the consuming side of a measure, and the raw ceiling's echo server.
if (process.argv[2] === 'consume') {
  const [clientIndex, brokers, topic, total] = process.argv.slice(3);
  await consumeChild(Number(clientIndex), brokers ?? '', topic ?? '', Number(total));
} else if (process.argv[2] === 'echo-server') {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address !== null ? address.port : 0);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
