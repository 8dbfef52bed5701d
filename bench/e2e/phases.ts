// The e2e bench's phases, run against one running stack: warm-up, idle CPU, a fixed offered rate
// (latency, CPU per event per process, per-stage latency), a burst, and the kafkajs and gRPC ceilings
// on the same broker and machine. Every tree a run compares goes through exactly this code.
import * as grpc from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { readTopic } from '@eventyard/broker/testing';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { availableParallelism } from 'node:os';
import { waitUntil } from '../../test/e2e/stack.ts';
import { postmasterPid, sampleCpu, sampleMainThreads, type CpuGroups } from './cpu-time.ts';
import type { BenchOptions } from './options.ts';
import type { TreeStack } from './tree-stack.ts';
import { median, percentile } from './report.ts';

const PAYLOAD = Buffer.alloc(256, 'p');
export const CONCURRENCY = 64;

/** One line of output. A comparison matches rows by `what` and compares each numeric field. */
export interface Row {
  what: string;
  perSecond: number;
  p50?: number;
  p99?: number;
  /** CPU ms per event (or per record or call, for a ceiling), where the row measures it. */
  cpuMs?: number;
  /** Percent of one core, for the idle row. */
  idlePercent?: number;
  /** Records per batch (the router's rounds). */
  perBatch?: number;
  /** Kafka requests per event (the broker's count by API). */
  perEvent?: number;
  note?: string;
}

/** Per-stage latency of the fixed-rate run, from the Kafka record timestamps read back after the run. */
interface StageTimes {
  sent: Map<string, number>;
  acked: Map<string, number>;
  arrived: Map<string, number>;
}

async function stageRows(brokers: string, ids: readonly string[], times: StageTimes): Promise<Row[]> {
  const kafka = new Kafka({ clientId: 'bench-stages', brokers: [brokers], logLevel: logLevel.NOTHING });
  const wanted = new Set(ids);
  const ingest = new Map<string, number>();
  const routed = new Map<string, number>();
  await readTopic(
    kafka,
    'eventyard.ingest',
    (records) => {
      const last = records.at(-1);
      if (last !== undefined && wanted.has(last.key)) ingest.set(last.key, last.timestamp);
      return ingest.size >= wanted.size;
    },
    60_000,
  );
  await readTopic(
    kafka,
    'eventyard.deliveries.bench',
    (records) => {
      const last = records.at(-1);
      const id = last?.headers['ey-event-id'];
      if (last !== undefined && id !== undefined && wanted.has(id)) routed.set(id, last.timestamp);
      return routed.size >= wanted.size;
    },
    60_000,
  );
  const stage = (what: string, from: (id: string) => number | undefined, to: (id: string) => number | undefined): Row => {
    const values = ids
      .flatMap((id) => {
        const a = from(id);
        const b = to(id);
        return a === undefined || b === undefined ? [] : [b - a];
      })
      .sort((x, y) => x - y);
    return { what: `  stage: ${what}`, perSecond: Number.NaN, p50: percentile(values, 50), p99: percentile(values, 99), note: `${values.length} events` };
  };
  return [
    stage(
      'Report answered (acks=all)',
      (id) => times.sent.get(id),
      (id) => times.acked.get(id),
    ),
    stage(
      'Report sent → ingest record built',
      (id) => times.sent.get(id),
      (id) => ingest.get(id),
    ),
    stage(
      'ingest record → delivery record (router)',
      (id) => ingest.get(id),
      (id) => routed.get(id),
    ),
    stage(
      'delivery record → Dispatch (dispatcher)',
      (id) => routed.get(id),
      (id) => times.arrived.get(id),
    ),
  ];
}

/**
 * The fixed-rate run's p99 per second of sends: the first second, the median second and the worst one.
 * A run's p99 can come from a few seconds (the first ones, while the processes' code is still being
 * optimized, or a stall), and these rows tell that from a tail spread over the whole run.
 */
function windowRows(ids: readonly string[], sentAt: ReadonlyMap<string, number>, arrivals: ReadonlyMap<string, number>): Row[] {
  const start = Math.min(...ids.map((id) => sentAt.get(id) ?? Number.POSITIVE_INFINITY));
  const windows: number[][] = [];
  for (const id of ids) {
    const sent = sentAt.get(id);
    const arrived = arrivals.get(id);
    if (sent === undefined || arrived === undefined) continue;
    (windows[Math.floor((sent - start) / 1000)] ??= []).push(arrived - sent);
  }
  // flatMap skips the seconds in which nothing was sent (holes of `windows`).
  const p99s = windows.flatMap((latencies, second) => {
    latencies.sort((x, y) => x - y);
    return [{ second, p99: percentile(latencies, 99) }];
  });
  const first = p99s[0];
  if (first === undefined) return [];
  const worst = p99s.reduce((a, b) => (b.p99 > a.p99 ? b : a));
  const row = (what: string, p99: number, note: string): Row => ({ what: `  p99 by second of sends: ${what}`, perSecond: Number.NaN, p99, note });
  return [
    row('the first', first.p99, 'second 1'),
    row('the median one', median(p99s.map((w) => w.p99)), `of ${p99s.length} seconds`),
    row('the worst', worst.p99, `second ${worst.second + 1}`),
  ];
}

/** How a ceiling is driven: CONCURRENCY calls in flight (the most it does), or paced at the offered rate. */
type Drive = { kind: 'burst'; count: number } | { kind: 'paced'; rate: number; seconds: number };

/** How many sends `drive` makes. */
function driveCount(drive: Drive): number {
  return drive.kind === 'burst' ? drive.count : drive.rate * drive.seconds;
}

/** Runs `send` as `drive` says; resolves once every send has resolved. */
async function driveSends(drive: Drive, send: (i: number) => Promise<void>): Promise<void> {
  if (drive.kind === 'burst') {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < drive.count) await send(next++);
      }),
    );
    return;
  }
  const total = driveCount(drive);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / drive.rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inflight.push(send(i));
  }
  await Promise.all(inflight);
}

/**
 * A ceiling row: per s over the run, latency percentiles, and for a paced run the CPU it cost. `perSend`
 * units go in each send (a paced drive's rate is then of units, its sends that rate ÷ perSend).
 */
function ceilingRow(what: string, drive: Drive, seconds: number, latencies: number[], cpuMs: number, unit: string, perSend = 1): Row {
  const count = driveCount(drive);
  const sorted = [...latencies].sort((a, b) => a - b);
  const how = `${drive.kind === 'burst' ? `${CONCURRENCY} in flight` : `paced at ${drive.rate}/s`}${perSend > 1 ? `, ${perSend} per send` : ''}`;
  // A burst's CPU is only "as much as it could get"; per record it says something only when paced.
  const cpu = drive.kind === 'burst' ? '' : `, ${(cpuMs / count).toFixed(3)} ms CPU per ${unit} (every process)`;
  return {
    // The batch size stays out of the name: two trees whose routers batched differently still compare.
    what: `${what}${drive.kind === 'paced' ? ` at ${drive.rate}/s` : ''}${perSend > 1 ? ' in batches' : ''}`,
    perSecond: count / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    ...(drive.kind === 'paced' ? { cpuMs: cpuMs / count } : {}),
    note: `${count} ${unit}s, ${how}${cpu}`,
  };
}

/** CPU ms that `groups` spent while `run` ran. */
async function cpuDuring(groups: CpuGroups, run: () => Promise<void>): Promise<number> {
  const before = sampleCpu(groups);
  await run();
  const after = sampleCpu(groups);
  let total = 0;
  for (const [name, end] of after) total += (end - (before.get(name) ?? 0)) * 1000;
  return total;
}

/**
 * kafkajs producing to and consuming from the stack's broker in the bench process: the cost of one Kafka
 * hop. `perSend` records go in each send (paced: the drive's rate is of records), as a batching hop sends them.
 */
async function kafkaCeiling(brokers: string, drive: Drive, groups: CpuGroups, perSend = 1): Promise<Row> {
  const kafka = new Kafka({ clientId: 'bench-ceiling', brokers: [brokers], logLevel: logLevel.NOTHING });
  const topic = `bench-ceiling-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const latencies: number[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      latencies.push(Date.now() - Number(message.headers?.sent?.toString()));
    },
  });
  const count = driveCount(drive);
  const start = performance.now();
  // One record per send by default: the traffic a hop makes when nothing waits to gather a batch.
  const sends: Drive = drive.kind === 'paced' ? { ...drive, rate: drive.rate / perSend } : { kind: 'burst', count: Math.ceil(drive.count / perSend) };
  const cpuMs = await cpuDuring(groups, async () => {
    await driveSends(sends, (i) => {
      const sent = String(Date.now());
      const messages = Array.from({ length: perSend }, (_, j) => ({ key: String(i * perSend + j), value: PAYLOAD, headers: { sent } }));
      return producer.send({ topic, acks: -1, messages }).then(() => undefined);
    });
    await waitUntil(() => latencies.length >= count, 60_000, 'ceiling consumed');
  });
  const seconds = (performance.now() - start) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  return ceilingRow('ceiling: kafkajs produce→consume, same broker', drive, seconds, latencies, cpuMs, 'record', perSend);
}

async function grpcEchoCeiling(drive: Drive, groups: CpuGroups): Promise<Row> {
  const service = {
    echo: {
      path: '/bench.Echo/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  } satisfies grpc.ServiceDefinition;
  const server = new grpc.Server();
  server.addService(service, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const Client = grpc.makeGenericClientConstructor(service, 'Echo');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.enable_retries': 0 }) as unknown as {
    echo: (req: Buffer, cb: (err: Error | null, res?: Buffer) => void) => void;
    close(): void;
  };
  const latencies: number[] = [];
  const start = performance.now();
  const cpuMs = await cpuDuring(groups, () =>
    driveSends(drive, async () => {
      const sent = performance.now();
      await new Promise<void>((resolve, reject) => client.echo(PAYLOAD, (err) => (err ? reject(err) : resolve())));
      latencies.push(performance.now() - sent);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  client.close();
  server.forceShutdown();
  return ceilingRow('ceiling: bare gRPC unary echo', drive, seconds, latencies, cpuMs, 'call');
}

/**
 * What no design of two Kafka hops could spend less on per event, from this run's paced ceilings: a
 * Report and a Dispatch are two gRPC calls of which Eventyard runs one half each (the Report's server, the
 * Dispatch's client; together one call, both ends), and an event crosses two Kafka hops (ingest, then
 * its delivery), each at the batching the router reached. Postgres (the history), the routing itself and
 * the status stream come on top. Eventyard's own CPU per event is printed as a multiple of it.
 */
export function floorRow(echo: Row, hop: Row, perSend: number, own: number | undefined): Row {
  const floor = (echo.cpuMs ?? Number.NaN) + 2 * (hop.cpuMs ?? Number.NaN);
  const ratio = own === undefined ? '' : `; Eventyard's own ${own.toFixed(3)} ms = ${(own / floor).toFixed(2)} × it`;
  return {
    what: 'floor: one gRPC call + two Kafka hops',
    perSecond: Number.NaN,
    cpuMs: floor,
    note: `${floor.toFixed(3)} ms CPU per event (the paced rows above, ${perSend} record${perSend > 1 ? 's' : ''} per send)${ratio}`,
  };
}

/** A Prometheus sample's value from a service's /metrics (0 when the tree does not export it). */
async function scrape(stack: TreeStack, service: string, sample: string): Promise<number> {
  const port = stack.healthPort(service);
  if (port === undefined) return 0;
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // `name{service="router"} 12` (every registry has a service label) or `name 12`.
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `) || l.startsWith(`${sample}{`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  } catch {
    return 0;
  }
}

/** Kafka requests the broker answered so far, by API (Produce, Fetch, OffsetCommit, ...); empty when it does not say. */
async function brokerRequests(stack: TreeStack): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  try {
    const text = await (await fetch(`http://127.0.0.1:${stack.brokerMetricsPort}/metrics`)).text();
    for (const line of text.split('\n')) {
      const match = /^eventyard_broker_requests_total\{api="([^"]+)"\} (\S+)$/.exec(line);
      if (match?.[1] !== undefined) counts.set(match[1], Number(match[2]));
    }
  } catch {
    // No metrics: the rows are left out.
  }
  return counts;
}

/**
 * Kafka requests per event over a phase, by API and in all: what "batch every hop" moves. One record per
 * request at each of the three hops (the producer's, the router's and the dispatcher's produce, the
 * router's and the dispatcher's fetch) is 5 per event; batching brings it below 1.
 */
function requestRows(before: Map<string, number>, after: Map<string, number>, events: number): Row[] {
  const perApi = [...after]
    .map(([api, count]) => ({ api, perEvent: (count - (before.get(api) ?? 0)) / events }))
    .filter(({ perEvent }) => perEvent > 0)
    .sort((a, b) => b.perEvent - a.perEvent);
  if (perApi.length === 0 || events === 0) return [];
  const total = perApi.reduce((sum, { perEvent }) => sum + perEvent, 0);
  return [
    { what: '  broker: Kafka requests per event', perSecond: Number.NaN, perEvent: total, note: `${total.toFixed(2)} requests per event, all clients` },
    ...perApi.map(({ api, perEvent }) => ({ what: `    ${api}`, perSecond: Number.NaN, perEvent, note: `${perEvent.toFixed(2)} per event` })),
  ];
}

/** The router's rounds over the fixed-rate phase: how many records each produce request and history statement carried. */
async function routerRounds(stack: TreeStack): Promise<{ rounds: number; records: number }> {
  return {
    rounds: await scrape(stack, 'router', 'eventyard_router_round_records_count'),
    records: await scrape(stack, 'router', 'eventyard_router_round_records_sum'),
  };
}

/** The bench's own process (Report client, Dispatch server) among the CPU groups. */
const BENCH_GROUP = 'bench (Report client, Dispatch server)';
/** Eventyard's own processes (services, broker, Postgres): issue #16's "own" CPU per event. */
const OWN_ROW = "  cpu: Eventyard's own processes";

function cpuGroups(stack: TreeStack): CpuGroups {
  const groups: CpuGroups = { [BENCH_GROUP]: { pid: process.pid } };
  if (stack.brokerPid !== undefined) groups.broker = { pid: stack.brokerPid };
  for (const [name, pid] of stack.pids()) groups[name] = { pid };
  const postgres = postmasterPid();
  if (postgres !== undefined) groups.postgres = { pid: postgres, withDescendants: true };
  return groups;
}

/** CPU samples of a run's start or end: each group's, and each process's main thread's (sampleMainThreads). */
interface CpuSample {
  groups: Map<string, number>;
  mainThreads: Map<string, number>;
}

function sampleRunCpu(groups: CpuGroups): CpuSample {
  // The bench's own process is no service: its split is not asked for.
  const { [BENCH_GROUP]: _bench, ...services } = groups;
  return { groups: sampleCpu(groups), mainThreads: sampleMainThreads(services) };
}

/**
 * CPU per event of each process over a run, and the rate two cores could sustain at that cost. Under each
 * service its main thread's share: what a --cpu-prof profile sees; the rest (V8's GC and compiler threads)
 * counts in the process's CPU but in no profile.
 */
function cpuRows(before: CpuSample, after: CpuSample, events: number): Row[] {
  let total = 0;
  const rows: Row[] = [];
  const perEvent = (start: number | undefined, end: number): number => ((end - (start ?? 0)) * 1000) / events;
  for (const [name, end] of after.groups) {
    const ms = perEvent(before.groups.get(name), end);
    total += ms;
    rows.push({ what: `  cpu: ${name}`, perSecond: Number.NaN, cpuMs: ms, note: `${ms.toFixed(3)} ms CPU per event` });
    const mainEnd = after.mainThreads.get(name);
    if (mainEnd === undefined) continue;
    const main = perEvent(before.mainThreads.get(name), mainEnd);
    const share = ms > 0 ? Math.round((100 * main) / ms) : 0;
    rows.push({
      what: `    ${name}: main thread`,
      perSecond: Number.NaN,
      cpuMs: main,
      note: `${share} % of the process; the rest on V8's and libuv's threads`,
    });
  }
  const own = total - perEvent(before.groups.get(BENCH_GROUP), after.groups.get(BENCH_GROUP) ?? 0);
  rows.push({ what: OWN_ROW, perSecond: Number.NaN, cpuMs: own, note: `${own.toFixed(3)} ms CPU per event: every process but the bench's` });
  const cores = availableParallelism();
  rows.push({
    what: `  cpu: all processes`,
    perSecond: (cores * 1000) / total,
    cpuMs: total,
    note: `${total.toFixed(3)} ms CPU per event; per s = ${cores} cores / that`,
  });
  return rows;
}

/**
 * Runs every phase against `stack` (admin calls carry `adminToken` when set) and returns the rows. The
 * Dispatch server and Report client live in this process; they are closed before it returns.
 */
export async function runPhases(stack: TreeStack, adminToken: string | undefined, options: BenchOptions): Promise<Row[]> {
  const { rate: RATE, seconds: SECONDS, burst: BURST } = options;
  const cleanups: Array<() => unknown> = [];
  try {
    const arrivals = new Map<string, number>();
    const server = await startDispatchServer({
      port: 0,
      host: '127.0.0.1',
      handler: async (req) => {
        arrivals.set(req.event_id, Date.now());
        return { ret: { code: 0, msg: '' }, pass_back: Buffer.alloc(0) };
      },
    });
    cleanups.push(() => server.close());
    const res = await fetch(`http://127.0.0.1:${stack.port('admin', 'http')}/v1/processor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` }) },
      body: JSON.stringify({
        processor_conf_info: {
          dispatcher_id: 'bench',
          app_id: 'bench',
          topic_id: 'bench',
          protocol_type: 'grpcSend',
          addr: `127.0.0.1:${server.port}`,
          timeout: 5000,
          concurrency: options.concurrency,
        },
      }),
    });
    if (res.status !== 200) throw new Error(`registering the processor failed: ${res.status} ${await res.text()}`);
    const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
    cleanups.push(() => client.close());
    const sentAt = new Map<string, number>();
    const ackedAt = new Map<string, number>();
    const report = async () => {
      const sent = Date.now();
      const rsp = await client.report({ event: { app_id: 'bench', topic_id: 'bench', data: PAYLOAD } });
      if ((rsp.ret?.code ?? 0) !== 0) throw new Error(`report failed: ${rsp.ret?.msg}`);
      sentAt.set(rsp.event_id, sent);
      ackedAt.set(rsp.event_id, Date.now());
      return rsp.event_id;
    };
    // The router learns of the processor eventually (NOTIFY); an event reported before that is routed to
    // no one. Report one at a time until one arrives: that works on every tree, whatever metrics it has.
    await waitUntil(
      async () => {
        const id = await report();
        const deadline = Date.now() + 2000;
        while (!arrivals.has(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        return arrivals.has(id);
      },
      60_000,
      'a first event delivered (the router loaded the processor)',
    );
    // Warm-up: routes, channels and consumers settle before anything is measured.
    const warm = await Promise.all(Array.from({ length: 50 }, report));
    await waitUntil(() => warm.every((id) => arrivals.has(id)), 60_000, 'warm-up delivered');
    if (options.warmSeconds > 0) {
      const warmIds: string[] = [];
      await driveSends({ kind: 'paced', rate: RATE, seconds: options.warmSeconds }, () =>
        report().then(
          (id) => void warmIds.push(id),
          () => undefined,
        ),
      );
      await waitUntil(() => warmIds.every((id) => arrivals.has(id)), 120_000, 'warm-up at the offered rate delivered');
    }
    sentAt.clear();
    arrivals.clear();

    // 0. Idle: what the stack costs with no traffic (timers, heartbeats, long-poll fetches).
    const groups = cpuGroups(stack);
    const idleSeconds = 5;
    const idleCpuMs = await cpuDuring(groups, () => new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000)));
    const idlePercent = idleCpuMs / (10 * idleSeconds);
    const idleRow: Row = {
      what: 'idle stack, no traffic',
      perSecond: Number.NaN,
      idlePercent,
      note: `${idlePercent.toFixed(1)} % of one core (every process, ${idleSeconds} s)`,
    };

    // 1. Fixed offered rate: latency.
    const roundsBefore = await routerRounds(stack);
    const requestsBefore = await brokerRequests(stack);
    const cpuBefore = sampleRunCpu(groups);
    const ids: string[] = [];
    // A Report the overloaded machine could not answer in time is counted, not fatal to the whole run.
    let failedReports = 0;
    await driveSends({ kind: 'paced', rate: RATE, seconds: SECONDS }, () =>
      report().then(
        (id) => void ids.push(id),
        () => void (failedReports += 1),
      ),
    );
    await waitUntil(() => ids.every((id) => arrivals.has(id)), 120_000, 'fixed-rate events delivered');
    // Attempt records and offset commits trail the Dispatch calls: let them finish before reading CPU.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpuAfter = sampleRunCpu(groups);
    const requestsAfter = await brokerRequests(stack);
    const rateLatencies = ids.map((id) => (arrivals.get(id) ?? 0) - (sentAt.get(id) ?? 0)).sort((a, b) => a - b);
    const rateSeconds = (Math.max(...ids.map((id) => arrivals.get(id) ?? 0)) - Math.min(...ids.map((id) => sentAt.get(id) ?? 0))) / 1000;
    const rows: Row[] = [
      {
        what: `e2e at offered ${RATE}/s for ${SECONDS}s (Report→Dispatch)`,
        perSecond: ids.length / rateSeconds,
        p50: percentile(rateLatencies, 50),
        p99: percentile(rateLatencies, 99),
        note: `${ids.length} events${failedReports > 0 ? `, ${failedReports} Reports failed (deadline or error), left out` : ''}`,
      },
    ];
    rows.push(...windowRows(ids, sentAt, arrivals));
    rows.push(...cpuRows(cpuBefore, cpuAfter, ids.length), idleRow);
    const roundsAfter = await routerRounds(stack);
    const rounds = roundsAfter.rounds - roundsBefore.rounds;
    // The router's records per round: its batching, which the batched Kafka ceiling below copies.
    const perRound = rounds > 0 ? (roundsAfter.records - roundsBefore.records) / rounds : 1;
    if (rounds > 0) {
      rows.push({
        what: '  router: ingest records per round',
        perSecond: Number.NaN,
        perBatch: perRound,
        note: `${perRound.toFixed(2)} records per round (one produce, one history statement), ${rounds} rounds`,
      });
    }
    rows.push(...requestRows(requestsBefore, requestsAfter, ids.length));
    rows.push(...(await stageRows(stack.kafkaBrokers, ids, { sent: new Map(sentAt), acked: new Map(ackedAt), arrived: new Map(arrivals) })));

    if (options.rateOnly) return rows;

    // 2. Burst: end-to-end throughput with CONCURRENCY reports in flight.
    sentAt.clear();
    arrivals.clear();
    const burstIds: string[] = [];
    const burstStart = Date.now();
    await driveSends({ kind: 'burst', count: BURST }, async () => void burstIds.push(await report()));
    await waitUntil(() => burstIds.every((id) => arrivals.has(id)), 180_000, 'burst delivered');
    const burstSeconds = (Math.max(...burstIds.map((id) => arrivals.get(id) ?? 0)) - burstStart) / 1000;
    const burstLatencies = burstIds.map((id) => (arrivals.get(id) ?? 0) - (sentAt.get(id) ?? 0)).sort((a, b) => a - b);
    rows.push({
      what: `e2e burst, ${CONCURRENCY} reports in flight`,
      perSecond: BURST / burstSeconds,
      p50: percentile(burstLatencies, 50),
      p99: percentile(burstLatencies, 99),
      note: `${BURST} events`,
    });

    // The ceilings twice: as fast as they go, and paced at the offered rate, where the CPU they cost per
    // record (bench process and broker, 2 cores in all) is the floor under the pipeline's own cost.
    const ceilingGroups = Object.fromEntries(Object.entries(groups).filter(([name]) => name === 'broker' || name.startsWith('bench')));
    const paced: Drive = { kind: 'paced', rate: RATE, seconds: Math.min(SECONDS, 10) };
    rows.push(await kafkaCeiling(stack.kafkaBrokers, { kind: 'burst', count: BURST }, ceilingGroups));
    const hop = await kafkaCeiling(stack.kafkaBrokers, paced, ceilingGroups);
    rows.push(hop);
    // The same hop with the batching the router reached in the fixed-rate run (its records per round).
    const perSend = Math.round(perRound);
    const batchedHop = perSend > 1 ? await kafkaCeiling(stack.kafkaBrokers, paced, ceilingGroups, perSend) : hop;
    if (batchedHop !== hop) rows.push(batchedHop);
    rows.push(await grpcEchoCeiling({ kind: 'burst', count: BURST }, ceilingGroups));
    const echo = await grpcEchoCeiling(paced, ceilingGroups);
    rows.push(echo);
    rows.push(floorRow(echo, batchedHop, perSend, rows.find((row) => row.what === OWN_ROW)?.cpuMs));
    return rows;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
