// The Kafka client spike of issue #16: kafkajs (as createKafka/createProducer make it) against
// @platformatic/kafka with the same settings (idempotent, acks -1, Java's murmur2 partitioner, no
// auto-created topics; consumers with a fresh group, minBytes 1, no commits while measuring), both on the
// project's broker run as its own process. Per client: (a) produce→consume of 256-byte records paced at
// --rate, one record per send (what a Report costs today); (b) the same rate in sends of --batch records;
// (c) a burst of --burst records, one per send, 64 sends in flight. For each: records/s, CPU µs per record
// of this process (producer + consumer: process.cpuUsage) and of the broker (/proc), and produce→consume
// latency p50/p99. The clients alternate in rounds (a warm-up round first, not counted; the order flips
// every round) because a loaded machine makes separate runs incomparable; medians over the rounds are
// printed side by side with their ratio, beside a raw TCP echo between two processes of the same run.
// docs/adr/0006-kafka-client.md reads these numbers.
//   node bench/micro/kafka-clients.ts [--seconds 5] [--rate 1000] [--batch 20] [--burst 5000] [--rounds 2]
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

const PAYLOAD = Buffer.alloc(256, 'p');
/** What every record the services produce carries (the W3C trace context), so headers cost as in production. */
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const IN_FLIGHT = 64;
const PARTITIONS = 3;
/** A fetch with nothing to read waits this long; minBytes 1 answers as soon as a record is appended. */
const MAX_WAIT_MS = 500;

interface Options {
  seconds: number;
  rate: number;
  batch: number;
  burst: number;
  rounds: number;
}

/** One client connected to one fresh topic: `send` resolves once the broker acknowledged the records. */
interface OpenClient {
  send(indices: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

interface ClientUnderTest {
  name: string;
  /** A producer and a consumer (fresh group, from the beginning) of `topic`; `received(index)` per record. */
  open(brokers: string, topic: string, received: (index: number) => void): Promise<OpenClient>;
}

const kafkajs: ClientUnderTest = {
  name: 'kafkajs 2.2.4',
  async open(brokers, topic, received) {
    const kafka = createKafka({ brokers: [brokers], clientId: 'bench-kafkajs' }, { logger: silentLogger() });
    // The services' producer settings (createProducer), with a bounded retry as every service sets one.
    const producer = createProducer(kafka, { retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: MAX_WAIT_MS, minBytes: 1, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // eachBatch without auto-resolve or auto-commit, resolving the batch once handled: how the router and
    // the dispatcher consume (an unresolved batch would be fetched again and again).
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload: EachBatchPayload) => {
        for (const message of payload.batch.messages) received(Number(message.key?.toString('latin1')));
        payload.resolveOffset(payload.batch.lastOffset());
        return Promise.resolve();
      },
    });
    return {
      send: async (indices) => {
        await producer.send({
          topic,
          acks: -1,
          messages: indices.map((i) => ({ key: Buffer.from(String(i)), value: PAYLOAD, headers: { traceparent: TRACEPARENT } })),
        });
      },
      close: async () => {
        await consumer.disconnect();
        await producer.disconnect();
      },
    };
  },
};

const platformatic: ClientUnderTest = {
  name: '@platformatic/kafka 2.12.1',
  async open(brokers, topic, received) {
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
    const consumer = new Consumer({
      clientId: 'bench-platformatic',
      groupId: topic,
      bootstrapBrokers: [brokers],
      maxWaitTime: MAX_WAIT_MS,
      minBytes: 1,
      sessionTimeout: 10_000,
      autocommit: false,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    stream.on('data', (message) => received(Number(message.key.toString('latin1'))));
    // Without serializers, header names are Buffers too (a Record's string keys fail at send time).
    const headers = new Map([[Buffer.from('traceparent'), Buffer.from(TRACEPARENT)]]);
    return {
      send: async (indices) => {
        await producer.send({ messages: indices.map((i) => ({ topic, key: Buffer.from(String(i)), value: PAYLOAD, headers })) });
      },
      close: async () => {
        await stream.close();
        await consumer.close(true);
        await producer.close();
      },
    };
  },
};

const CLIENTS = [kafkajs, platformatic];

type Drive = { kind: 'paced'; rate: number; seconds: number; perSend: number } | { kind: 'burst'; count: number };

interface Measure {
  /** Records received more than once (none expected: no failures, no rebalance). */
  duplicates: number;
  perSecond: number;
  clientUs: number;
  brokerUs: number;
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : ((sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN) + (sorted[Math.ceil((sorted.length - 1) / 2)] ?? NaN)) / 2;
}

/** Polls `check` every 5 ms until it holds, or throws after `timeoutMs`. */
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** How many records `drive` sends. */
function recordCount(drive: Drive): number {
  return drive.kind === 'burst' ? drive.count : drive.rate * drive.seconds;
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
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let first = 0; first < total; first += drive.perSend) {
    const wait = started + (first * 1000) / drive.rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(send(Array.from({ length: Math.min(drive.perSend, total - first) }, (_, k) => first + k)));
  }
  await Promise.all(sends);
}

/** One client, one drive, on a fresh topic: connects (not measured), then measures until every record arrived. */
async function measureClient(
  client: ClientUnderTest,
  brokers: string,
  brokerPid: number,
  drive: Drive,
  createTopic: (topic: string) => Promise<void>,
): Promise<Measure> {
  const topic = `bench-clients-${client.name.replace(/[^a-z]/g, '')}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await createTopic(topic);
  const total = recordCount(drive);
  const sentAt = new Float64Array(total + 1);
  const latencies: number[] = [];
  let ready = false;
  let duplicates = 0;
  const seen = new Uint8Array(total + 1);
  const open = await client.open(brokers, topic, (index) => {
    if (index === total) {
      ready = true;
      return;
    }
    if (seen[index] === 1) {
      duplicates++; // a redelivery is not a new record's latency
      return;
    }
    seen[index] = 1;
    latencies.push(performance.now() - (sentAt[index] ?? 0));
  });
  try {
    // One record through both ends first: the group has joined and a fetch is waiting.
    await open.send([total]);
    await waitUntil(() => ready, 30_000, `${client.name}: first record consumed`);
    const cpu = process.cpuUsage();
    const brokerBefore = readStat(brokerPid)?.cpuSeconds ?? NaN;
    const started = performance.now();
    await driveSends(drive, (indices) => {
      const now = performance.now();
      for (const i of indices) sentAt[i] = now;
      return open.send(indices);
    });
    await waitUntil(() => latencies.length >= total, 60_000, `${client.name}: ${total} records consumed`);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const brokerSeconds = (readStat(brokerPid)?.cpuSeconds ?? NaN) - brokerBefore;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      duplicates,
      perSecond: total / seconds,
      clientUs: (used.user + used.system) / total,
      brokerUs: (brokerSeconds * 1e6) / total,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  } finally {
    await open.close();
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
      clientUs: (used.user + used.system) / total,
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
  const phases: Array<{ name: string; drive: (warmUp: boolean) => Drive }> = [
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
          const measure = await measureClient(client, broker.address, broker.child.pid ?? 0, drive, createTopic);
          process.stderr.write(
            `${warmUp ? 'warm-up' : `round ${round}`}  ${phase.name}  ${client.name}: ${measure.perSecond.toFixed(0)}/s, ` +
              `${measure.clientUs.toFixed(0)} + ${measure.brokerUs.toFixed(0)} µs CPU per record, p50 ${measure.p50.toFixed(1)} ms, p99 ${measure.p99.toFixed(1)} ms, ${measure.duplicates} duplicates\n`,
          );
          if (!warmUp) results[p]?.[CLIENTS.indexOf(client)]?.push(measure);
        }
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

function print(options: Options, phases: Array<{ name: string }>, results: Measure[][][], ceiling: Measure[][], seconds: number): void {
  const metrics: Array<{ label: string; pick: (m: Measure) => number; digits: number }> = [
    { label: 'records/s', pick: (m) => m.perSecond, digits: 0 },
    { label: 'CPU µs/record, client process', pick: (m) => m.clientUs, digits: 1 },
    { label: 'CPU µs/record, broker process', pick: (m) => m.brokerUs, digits: 1 },
    { label: 'CPU µs/record, both', pick: (m) => m.clientUs + m.brokerUs, digits: 1 },
    { label: 'latency p50 ms', pick: (m) => m.p50, digits: 2 },
    { label: 'latency p99 ms', pick: (m) => m.p99, digits: 2 },
  ];
  const [a, b] = CLIENTS;
  const header = ['measure', a?.name ?? '', b?.name ?? '', 'ratio (2nd / 1st)', 'per-round ratios', 'raw TCP echo'];
  const rows: string[][] = [];
  for (const [p, phase] of phases.entries()) {
    rows.push([phase.name, '', '', '', '', '']);
    const [first = [], second = []] = results[p] ?? [];
    for (const metric of metrics) {
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
        echo.toFixed(metric.digits),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(
    `Kafka clients on the project's broker (own process, --flush interval), ${PARTITIONS} partitions, 256-byte records with a traceparent header; ` +
      `${options.rounds} rounds after a warm-up, medians, the clients' order flipped every round`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nraw TCP echo: 256-byte writes echoed by another process over loopback, driven like the row (its "broker" CPU is the echo process's). ` +
      `A ratio outside its per-round range is more than noise. (run took ${seconds.toFixed(0)} s)`,
  );
}

/** The echo server of the raw ceiling, in a process of its own (forked with this file). */
if (process.argv[2] === 'echo-server') {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address !== null ? address.port : 0);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
