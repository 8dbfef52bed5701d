// Scaling out (issue 18, item 3): at a fixed offered rate, routers and dispatchers at 1, 2 and 4
// instances each (producer, admin and the broker at one; every service a real process, the broker too).
// For each count it prints the delivered rate, Report→Dispatch p50/p99, and CPU per event per process
// kind (all instances of a kind summed) and in total, with the total's ratio to the first count: more
// instances should cost about the same CPU per event (the work per event does not change, only where it
// runs), so the ratio should stay near 1. Each instance also costs CPU while idle (heartbeats, fetch
// long-polls, config reloads, metrics), measured first for --idle-s and printed, with the CPU per event
// net of it beside the gross figure: the part that grows with instances is this fixed cost, spread over
// the events. The topics get `--partitions` partitions (default 4): a
// consumer group never has more busy members than partitions.
//
//   node_modules/.bin/node bench/scale/run.ts [--rate 400] [--seconds 20] [--idle-s 5] [--instances 1,2,4] [--partitions 4]
//                                             [--env EY_X=1 ...]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { postmasterPid, sampleCpu, type CpuGroups } from '../e2e/cpu-time.ts';
import { registerProcessor } from '../../test/e2e/event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil, type Cleanup, type ServiceName } from '../../test/e2e/stack.ts';
import { percentile } from '../e2e/report.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '20' },
    'idle-s': { type: 'string', default: '5' },
    instances: { type: 'string', default: '1,2,4' },
    partitions: { type: 'string', default: '4' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const IDLE_S = Number(values['idle-s']);
const COUNTS = values.instances.split(',').map(Number);
const PARTITIONS = Number(values.partitions);
for (const [name, value] of [
  ['rate', RATE],
  ['seconds', SECONDS],
  ['idle-s', IDLE_S],
  ['partitions', PARTITIONS],
  ...COUNTS.map((c) => ['instances', c] as const),
] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} wants integers ≥ 1`);
}
const extraEnv = Object.fromEntries(values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const PAYLOAD = Buffer.alloc(256, 'p');
const KINDS = ['producer', 'router', 'dispatcher', 'admin', 'broker', 'postgres'] as const;

interface Result {
  instances: number;
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU ms per delivered event per kind, and `total`. */
  cpuMs: Record<(typeof KINDS)[number] | 'total', number>;
  /** CPU ms per second while idle, all processes. */
  idleMsPerS: number;
  /** `cpuMs.total` less the idle CPU of the same time. */
  netMs: number;
}

async function measure(instances: number): Promise<Result> {
  const cleanups: Array<() => unknown> = [];
  const cleanup: Cleanup = { after: (fn: () => unknown) => void cleanups.push(fn) };
  const arrived = new Map<string, number>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      if (!arrived.has(req.event_id)) arrived.set(req.event_id, performance.now());
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  try {
    const stack = await startStack(cleanup, {
      brokerProcess: true,
      brokerFlush: 'interval',
      services: ['producer', 'router', 'dispatcher', 'admin'],
      instances: { router: instances, dispatcher: instances },
      env: { EY_TOPIC_PARTITIONS: String(PARTITIONS), ...extraEnv },
    });
    const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
    cleanups.unshift(() => client.close());
    await registerProcessor(stack, {
      dispatcher_id: 'bench-scale',
      app_id: 'bench',
      topic_id: 'scale',
      protocol_type: 'grpcSend',
      addr: `127.0.0.1:${server.port}`,
      timeout: 5000,
    });
    await waitForRouterProcessors(stack, 1);
    const report = async () => (await client.report({ event: { app_id: 'bench', topic_id: 'scale', data: PAYLOAD } })).event_id;
    // Warm-up: a second of load, until it is delivered (every group joined, every connection open).
    const warm = await Promise.all(Array.from({ length: Math.min(RATE, 200) }, report));
    await waitUntil(() => warm.every((id) => arrived.has(id)), 120_000, 'the warm-up delivered');

    const groups: CpuGroups = { broker: { pid: stack.brokerPid ?? 0 } };
    for (const kind of ['producer', 'router', 'dispatcher', 'admin'] as const satisfies readonly ServiceName[]) {
      for (let i = 0; i < stack.instances(kind); i++) groups[`${kind}#${i}`] = { pid: stack.pid(kind, i) ?? 0 };
    }
    const postgres = postmasterPid();
    if (postgres !== undefined) groups.postgres = { pid: postgres, withDescendants: true };
    const idleFrom = sampleCpu(groups);
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    const idleTo = sampleCpu(groups);
    let idleMs = 0;
    for (const [name, end] of idleTo) idleMs += (end - (idleFrom.get(name) ?? 0)) * 1000;
    const idleMsPerS = idleMs / ((performance.now() - idleStarted) / 1000);
    const before = sampleCpu(groups);

    // The fixed rate: event i is sent at i/RATE s, not waiting for earlier ones.
    const sent = new Map<string, number>();
    const total = RATE * SECONDS;
    const started = performance.now();
    const inflight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const at = performance.now();
      inflight.push(
        report().then(
          (id) => void sent.set(id, at),
          () => undefined,
        ),
      );
    }
    await Promise.all(inflight);
    await waitUntil(() => [...sent.keys()].every((id) => arrived.has(id)), 300_000, 'every event delivered');
    const elapsedS = (Math.max(...[...sent.keys()].map((id) => arrived.get(id) ?? 0)) - started) / 1000;
    const after = sampleCpu(groups);

    const cpuMs = Object.fromEntries([...KINDS, 'total'].map((k) => [k, 0])) as Result['cpuMs'];
    for (const [name, end] of after) {
      const kind = name.split('#')[0] as (typeof KINDS)[number];
      const ms = ((end - (before.get(name) ?? 0)) * 1000) / sent.size;
      cpuMs[kind] += ms;
      cpuMs.total += ms;
    }
    const busyS = (performance.now() - started) / 1000;
    const netMs = cpuMs.total - (idleMsPerS * busyS) / sent.size;
    const latencies = [...sent].map(([id, at]) => (arrived.get(id) ?? Number.NaN) - at).sort((a, b) => a - b);
    return {
      instances,
      delivered: sent.size,
      perSecond: sent.size / elapsedS,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuMs,
      idleMsPerS,
      netMs,
    };
  } finally {
    for (const fn of cleanups) await fn();
    await server.close();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const count of COUNTS) {
    log(`routers and dispatchers ×${count}: ${RATE}/s for ${SECONDS} s…`);
    results.push(await measure(count));
  }
  console.log(
    `\nscale bench: ${RATE} events/s offered for ${SECONDS} s, 256 B payloads, one processor (gRPC Dispatch), ${PARTITIONS} partitions per topic, ` +
      `routers and dispatchers at ${COUNTS.join(', ')} instances (producer, admin, broker one each), ${availableParallelism()} cores (shared: numbers are indicative)`,
  );
  console.log('CPU ms per delivered event, per process kind (all its instances summed); ratio = total / total at the first count;');
  console.log('idle = CPU ms per second of every process before the load; net = total less that idle CPU over the run, per event\n');
  const header = ['instances', 'delivered/s', 'p50 ms', 'p99 ms', ...KINDS, 'total', 'ratio', 'idle ms/s', 'net', 'net ratio'];
  const first = results[0]?.cpuMs.total ?? Number.NaN;
  const firstNet = results[0]?.netMs ?? Number.NaN;
  const lines = results.map((r) => [
    String(r.instances),
    r.perSecond.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    ...KINDS.map((k) => r.cpuMs[k].toFixed(3)),
    r.cpuMs.total.toFixed(3),
    (r.cpuMs.total / first).toFixed(2),
    r.idleMsPerS.toFixed(0),
    r.netMs.toFixed(3),
    (r.netMs / firstNet).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(fmt(header));
  for (const line of lines) console.log(fmt(line));
}

await main();
