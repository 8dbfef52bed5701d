// How long delivery pauses when a dispatcher or a router joins or leaves its consumer group (issue 18,
// item 2). kafkajs rebalances eagerly: on every membership change each member gives up all its
// partitions and rejoins, so every partition stops for the rebalance, and the partitions of a member
// that died stop until the broker expires its session. The bench offers a steady rate of events to one
// processor through the whole stack (real processes, the project's broker as its own process), changes
// one group's membership at a time, and prints the worst Report→Dispatch latency of the events reported
// around the change beside the steady-state latency: the difference is the pause.
//
//   node_modules/.bin/node bench/rebalance/run.ts [--rate 100] [--settle-s 4] [--only dispatcher|router]
//                                                 [--env EY_DISPATCH_SESSION_TIMEOUT_MS=30000 ...]
//
// Scenarios per group (dispatcher, router), from one instance: a second instance joins; it leaves cleanly
// (SIGTERM: the service leaves the group on shutdown); it joins again; it is killed (SIGKILL: the broker
// notices when its session times out). Timing knobs: EY_DISPATCH_SESSION_TIMEOUT_MS,
// EY_ROUTER_SESSION_TIMEOUT_MS (the heartbeat interval is a tenth of it), see README "Scaling".
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { registerProcessor } from '../../test/e2e/event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil, type Cleanup, type RunningStack } from '../../test/e2e/stack.ts';
import { percentile } from '../e2e/report.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    'settle-s': { type: 'string', default: '4' },
    only: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const RATE = Number(values.rate);
const SETTLE_MS = Number(values['settle-s']) * 1000;
if (!Number.isInteger(RATE) || RATE < 1 || !(SETTLE_MS > 0)) throw new Error('--rate wants an integer ≥ 1, --settle-s a number > 0');
if (values.only !== undefined && values.only !== 'dispatcher' && values.only !== 'router') throw new Error('--only wants dispatcher or router');
const env = Object.fromEntries(values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

interface Sent {
  sentAt: number;
  arrivedAt?: number;
}

interface Row {
  scenario: string;
  events: number;
  p50: number;
  p99: number;
  max: number;
  /** max − the steady p50 before it. */
  pause: number;
}

async function main(): Promise<void> {
  const cleanups: Array<() => unknown> = [];
  const cleanup: Cleanup = { after: (fn: () => unknown) => void cleanups.push(fn) };
  const stack = await startStack(cleanup, { brokerProcess: true, brokerFlush: 'interval', services: ['producer', 'router', 'dispatcher', 'admin'], env });
  const sent = new Map<string, Sent>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      const entry = sent.get(Buffer.from(req.event?.data ?? []).toString());
      if (entry !== undefined && entry.arrivedAt === undefined) entry.arrivedAt = Date.now();
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  try {
    await registerProcessor(stack, {
      dispatcher_id: 'bench-rebalance',
      app_id: 'bench',
      topic_id: 'rebalance',
      protocol_type: 'grpcSend',
      addr: `127.0.0.1:${server.port}`,
      timeout: 5000,
    });
    await waitForRouterProcessors(stack, 1);

    // The steady load: RATE events/s, in ticks of 10 ms; each event's data is its own name.
    let n = 0;
    let offering = true;
    const load = (async () => {
      const startedAt = Date.now();
      while (offering) {
        const due = Math.floor(((Date.now() - startedAt) / 1000) * RATE);
        for (; n < due; n++) {
          const name = String(n);
          sent.set(name, { sentAt: Date.now() });
          client.report({ event: { app_id: 'bench', topic_id: 'rebalance', data: Buffer.from(name) } }).catch(() => sent.delete(name));
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const rows: Row[] = [];
    const window = (from: number, to: number) => [...sent.values()].filter((s) => s.sentAt >= from && s.sentAt < to);
    const latencies = (list: Sent[]) => list.map((s) => (s.arrivedAt ?? Number.NaN) - s.sentAt).sort((a, b) => a - b);
    /** Runs `change` after a settled period and measures the events reported from just before it until SETTLE after it ended. */
    const measure = async (scenario: string, change: () => Promise<void>) => {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const steadyFrom = Date.now() - SETTLE_MS / 2;
      const before = Date.now();
      log(`${scenario}…`);
      await change();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const after = Date.now();
      const affected = window(before - 500, after);
      await waitUntil(() => affected.every((s) => s.arrivedAt !== undefined), 180_000, `${scenario}: every event delivered`);
      const steady = latencies(window(steadyFrom, before));
      const around = latencies(affected);
      const max = around.at(-1) ?? Number.NaN;
      rows.push({ scenario, events: around.length, p50: percentile(around, 50), p99: percentile(around, 99), max, pause: max - percentile(steady, 50) });
    };

    await waitUntil(() => [...sent.values()].some((s) => s.arrivedAt !== undefined), 60_000, 'the first delivery');
    for (const group of ['dispatcher', 'router'] as const) {
      if (values.only !== undefined && values.only !== group) continue;
      const second = async () => {
        if (stack.instances(group) < 2) await stack.addInstance(group);
        else await stack.start(group, 1);
      };
      await measure(`${group}: a second instance joins`, second);
      await measure(`${group}: it leaves cleanly (SIGTERM)`, () => stack.stop(group, 1));
      await measure(`${group}: it joins again`, second);
      await measure(`${group}: it is killed (SIGKILL)`, () => stack.kill(group, 1));
    }
    offering = false;
    await load;
    print(stack, rows);
  } finally {
    client.close();
    await server.close();
    for (const fn of cleanups) await fn();
  }
}

function print(stack: RunningStack, rows: readonly Row[]): void {
  const session = (name: string) => env[name] ?? 'the default';
  console.log(
    `\nrebalance bench: ${RATE} events/s to one processor, 3 partitions per topic, ${availableParallelism()} cores (shared: numbers are indicative), broker ${stack.kafkaBrokers}; ` +
      `EY_DISPATCH_SESSION_TIMEOUT_MS=${session('EY_DISPATCH_SESSION_TIMEOUT_MS')}, EY_ROUTER_SESSION_TIMEOUT_MS=${session('EY_ROUTER_SESSION_TIMEOUT_MS')}`,
  );
  console.log('Report→Dispatch latency (ms) of the events reported from 0.5 s before each change until it settled; pause = max − steady p50\n');
  const header = ['scenario', 'events', 'p50', 'p99', 'max', 'pause'];
  const lines = rows.map((r) => [r.scenario, String(r.events), r.p50.toFixed(0), r.p99.toFixed(0), r.max.toFixed(0), r.pause.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

await main();
