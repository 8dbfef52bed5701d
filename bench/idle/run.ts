// What the local stack costs doing nothing: `eventyard dev` (as `pnpm start` runs it) on random ports and
// a temp data dir, one processor registered and one event delivered, then --settle seconds left alone and
// --seconds sampled: CPU (utime + stime from /proc, i.e. the processes' own CPU seconds, not the machine's
// load) as % of one core, and resident memory (RSS, and PSS), per process and in total. Beside them, the
// floor measured in the same window: a bare `node -e 'setInterval(() => {}, 1000)'`. After the window one
// event is reported and its Report→Dispatch latency printed: idling must not make the first event slow.
//
// With `--baseline <git-ref>`, that commit's stack (a git worktree of it, as bench/e2e makes) and this
// tree's run alternately, `--rounds` times each, and each measure is printed with the ratio of medians.
//
//   node_modules/.bin/node bench/idle/run.ts [--seconds 60] [--settle 15] [--env EY_X=1 ...] [--baseline <git-ref> [--rounds 2]]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@eventyard/cli/stack';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { waitUntil } from '../../test/e2e/stack.ts';
import { prepareBaselineTree } from '../e2e/baseline-tree.ts';
import { roundOrder } from '../e2e/options.ts';
import { median, spreadPercent } from '../e2e/report.ts';
import { inspectTree, type TreeInfo } from '../e2e/tree-stack.ts';
import { IDLE_ADMIN_TOKEN, startDevStack, type DevStack } from './dev-stack.ts';
import { sampleGroup, type GroupSample, type ProcessGroup } from './proc.ts';

const USAGE = 'usage: node bench/idle/run.ts [--seconds 60] [--settle 15] [--env EY_X=1 ...] [--baseline <git-ref> [--rounds 2]]';
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const FLOOR = 'floor: bare node setInterval 1 s';
const MB = 1024 * 1024;

interface Options {
  seconds: number;
  settle: number;
  env: Record<string, string>;
  baseline: string | undefined;
  rounds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: 'string', default: '60' },
      settle: { type: 'string', default: '15' },
      env: { type: 'string', multiple: true, default: [] },
      baseline: { type: 'string' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const int = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} wants an integer ≥ ${min}, got ${JSON.stringify(text)}\n${USAGE}`);
    return value;
  };
  const env: Record<string, string> = {};
  for (const pair of values.env) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--env wants KEY=VALUE, got ${JSON.stringify(pair)}\n${USAGE}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    seconds: int('seconds', values.seconds, 5),
    settle: int('settle', values.settle, 0),
    env,
    baseline: values.baseline,
    rounds: int('rounds', values.rounds, 1),
  };
}

/** One process's (or group's) idle cost over the window. */
interface Measure {
  /** % of one core. */
  cpuPercent: number;
  /** Median over the window's samples, bytes. */
  rss: number;
  pss: number;
  /** RssAnon: the process's own memory, unlike RSS not moved by how the page cache holds the node binary. */
  anon: number;
}

/** stopMs: SIGTERM to the supervisor → every process exited (a consumer's stop used to wait for its long poll). */
type RoundResult = { measures: Map<string, Measure>; firstEventMs: number; stopMs: number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples every group each second for `seconds`; CPU is the window's difference, memory the samples' median. */
async function sampleWindow(groups: readonly ProcessGroup[], seconds: number): Promise<Map<string, Measure>> {
  const first = new Map(groups.map((g) => [g.name, sampleGroup(g)]));
  const samples = new Map<string, GroupSample[]>(groups.map((g) => [g.name, []]));
  const started = performance.now();
  for (let i = 0; i < seconds; i++) {
    await sleep(started + (i + 1) * 1000 - performance.now());
    for (const g of groups) samples.get(g.name)?.push(sampleGroup(g));
  }
  const elapsed = (performance.now() - started) / 1000;
  const out = new Map<string, Measure>();
  for (const g of groups) {
    const list = samples.get(g.name) ?? [];
    const last = list.at(-1);
    if (last === undefined || !last.alive || list.some((s) => !s.alive)) throw new Error(`${g.name} (pid ${g.pid}) exited during the idle window`);
    out.set(g.name, {
      cpuPercent: ((last.cpuSeconds - (first.get(g.name)?.cpuSeconds ?? 0)) / elapsed) * 100,
      rss: median(list.map((s) => s.rssBytes)),
      pss: median(list.map((s) => s.pssBytes)),
      anon: median(list.map((s) => s.anonBytes)),
    });
  }
  return out;
}

/** Registers a processor served by a Dispatch server in this process and waits for one event to reach it. */
async function withProcessor(stack: DevStack, run: (reportOne: () => Promise<number>) => Promise<void>): Promise<void> {
  const arrivals = new Map<string, number>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      arrivals.set(req.event_id, performance.now());
      return { ret: { code: 0, msg: '' }, pass_back: Buffer.alloc(0) };
    },
  });
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  try {
    const res = await fetch(`http://127.0.0.1:${stack.port('admin', 'http')}/v1/processor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${IDLE_ADMIN_TOKEN}` },
      body: JSON.stringify({
        processor_conf_info: {
          dispatcher_id: 'idle',
          app_id: 'idle',
          topic_id: 'idle',
          protocol_type: 'grpcSend',
          addr: `127.0.0.1:${server.port}`,
          timeout: 5000,
        },
      }),
    });
    if (res.status !== 200) throw new Error(`registering the processor failed: ${res.status} ${await res.text()}`);
    /** Reports one event and resolves with its Report→Dispatch latency in ms (-1 when it did not arrive within 10 s). */
    const reportOne = async (): Promise<number> => {
      const sent = performance.now();
      const rsp = await client.report({ event: { app_id: 'idle', topic_id: 'idle', data: Buffer.from('idle') } });
      if ((rsp.ret?.code ?? 0) !== 0) throw new Error(`report failed: ${rsp.ret?.msg}`);
      const deadline = performance.now() + 10_000;
      while (!arrivals.has(rsp.event_id) && performance.now() < deadline) await sleep(1);
      const at = arrivals.get(rsp.event_id);
      return at === undefined ? -1 : at - sent;
    };
    // The router learns of the new processor through NOTIFY: report until one event arrives.
    await waitUntil(async () => (await reportOne()) >= 0, 60_000, 'a first event delivered (the router loaded the processor)');
    await run(reportOne);
  } finally {
    client.close();
    await server.close();
  }
}

/** One round: the tree's stack up, a processor and one event, settle, the window beside the floor, one event after it. */
async function round(tree: TreeInfo, floorNode: string, options: Options): Promise<RoundResult> {
  const stack = await startDevStack(tree, options.env);
  const floor = spawn(floorNode, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    let result: Omit<RoundResult, 'stopMs'> | undefined;
    await withProcessor(stack, async (reportOne) => {
      await sleep(options.settle * 1000);
      const groups = [...stack.groups(), { name: FLOOR, pid: floor.pid ?? 0, withDescendants: false }];
      const measures = await sampleWindow(groups, options.seconds);
      const firstEventMs = await reportOne();
      // Idle again before the stop, so the stop meets the consumers in a long poll.
      await sleep(options.settle * 1000);
      result = { measures, firstEventMs };
    });
    if (result === undefined) throw new Error('no result');
    floor.kill('SIGKILL');
    return { ...result, stopMs: await stack.close() };
  } catch (err) {
    log(`${tree.label} stack output:\n${stack.logs()}`);
    throw err;
  } finally {
    floor.kill('SIGKILL');
    await stack.close();
  }
}

const TOTAL = 'all of the stack';

/** Adds the stack's total (every group but the floor). */
function withTotal(measures: Map<string, Measure>): Map<string, Measure> {
  const total: Measure = { cpuPercent: 0, rss: 0, pss: 0, anon: 0 };
  for (const [name, m] of measures) {
    if (name === FLOOR) continue;
    total.cpuPercent += m.cpuPercent;
    total.rss += m.rss;
    total.pss += m.pss;
    total.anon += m.anon;
  }
  return new Map([...measures, [TOTAL, total]]);
}

function formatRound(result: RoundResult): string {
  const lines = [`${'process'.padEnd(34)}${'% core'.padStart(8)}${'RSS MB'.padStart(9)}${'PSS MB'.padStart(9)}${'anon MB'.padStart(9)}`];
  for (const [name, m] of withTotal(result.measures)) {
    lines.push(
      `${name.padEnd(34)}${m.cpuPercent.toFixed(2).padStart(8)}${(m.rss / MB).toFixed(0).padStart(9)}${(m.pss / MB).toFixed(0).padStart(9)}${(m.anon / MB).toFixed(0).padStart(9)}`,
    );
  }
  lines.push(`first event after the idle window: Report→Dispatch ${result.firstEventMs.toFixed(1)} ms`);
  lines.push(`stop after idling: SIGTERM → all exited ${result.stopMs.toFixed(0)} ms`);
  return lines.join('\n');
}

/** Per measure: each tree's median over its rounds, its spread, and current / baseline. */
function formatComparison(baseline: RoundResult[], current: RoundResult[]): string {
  const cell = (values: number[], digits: number): string => `${median(values).toFixed(digits)} ±${spreadPercent(values).toFixed(0)}%`;
  const ratio = (b: number[], c: number[]): string => (median(b) === 0 ? '' : `${(median(c) / median(b)).toFixed(2)}×`);
  const names = [...withTotal(current[0]?.measures ?? new Map<string, Measure>()).keys()];
  const head = `${'process'.padEnd(34)}${'% core base'.padStart(15)}${'current'.padStart(15)}${'cur/base'.padStart(9)}${'RSS MB base'.padStart(14)}${'current'.padStart(12)}${'cur/base'.padStart(9)}${'anon MB base'.padStart(15)}${'current'.padStart(12)}${'cur/base'.padStart(9)}`;
  const lines = [head];
  const all = (results: RoundResult[]) => results.map((r) => withTotal(r.measures));
  for (const name of names) {
    const pick = (results: RoundResult[], key: 'cpuPercent' | 'rss' | 'anon') =>
      all(results).flatMap((m) => (m.get(name) === undefined ? [] : [m.get(name)?.[key] ?? 0]));
    const [bc, cc, br, cr, ba, ca] = [
      pick(baseline, 'cpuPercent'),
      pick(current, 'cpuPercent'),
      pick(baseline, 'rss').map((v) => v / MB),
      pick(current, 'rss').map((v) => v / MB),
      pick(baseline, 'anon').map((v) => v / MB),
      pick(current, 'anon').map((v) => v / MB),
    ];
    lines.push(
      `${name.padEnd(34)}${(bc.length === 0 ? '–' : cell(bc, 2)).padStart(15)}${cell(cc, 2).padStart(15)}${ratio(bc, cc).padStart(9)}${(br.length === 0 ? '–' : cell(br, 0)).padStart(14)}${cell(cr, 0).padStart(12)}${ratio(br, cr).padStart(9)}${(ba.length === 0 ? '–' : cell(ba, 0)).padStart(15)}${cell(ca, 0).padStart(12)}${ratio(ba, ca).padStart(9)}`,
    );
  }
  const first = (results: RoundResult[]) => results.map((r) => r.firstEventMs);
  lines.push(
    `${'first event after idle, ms'.padEnd(34)}${cell(first(baseline), 1).padStart(15)}${cell(first(current), 1).padStart(15)}${ratio(first(baseline), first(current)).padStart(9)}`,
  );
  const stops = (results: RoundResult[]) => results.map((r) => r.stopMs);
  lines.push(
    `${'stop after idling, ms'.padEnd(34)}${cell(stops(baseline), 0).padStart(15)}${cell(stops(current), 0).padStart(15)}${ratio(stops(baseline), stops(current)).padStart(9)}`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  const current = await inspectTree('current', REPO_ROOT, {});
  const headline = `idle bench: eventyard dev (supervisor, embedded Postgres and broker, every service), one processor, ${options.settle} s settle, ${options.seconds} s sampled; CPU = the processes' own utime+stime from /proc`;
  if (options.baseline === undefined) {
    const result = await round(current, current.node, options);
    console.log(`\n${headline}\n`);
    console.log(formatRound(result));
    return;
  }
  const tree = await prepareBaselineTree(REPO_ROOT, options.baseline, { log });
  const baseline = await inspectTree('baseline', tree.root, {});
  const results: Record<'baseline' | 'current', RoundResult[]> = { baseline: [], current: [] };
  for (let i = 1; i <= options.rounds; i++) {
    // A B B A: both trees see the same drift of the machine's load, each first as often as second.
    for (const info of roundOrder(i, baseline, current)) {
      log(`round ${i}/${options.rounds}: ${info.label} (${info.root})`);
      // Each tree's floor runs its own `node` binary: the binaries are different files, and how the page
      // cache holds each (measured: a bare node 35 against 61 MB of file-backed RSS for the same release)
      // moves every process's RSS of that tree alike; the floor row shows it.
      const result = await round(info, info.node, options);
      results[info.label as 'baseline' | 'current'].push(result);
      log(formatRound(result));
    }
  }
  console.log(`\n${headline}`);
  console.log(`baseline: ${options.baseline} = ${tree.commit.slice(0, 12)} (${tree.root}${tree.reused ? ', reused' : ''}); current: ${REPO_ROOT}`);
  console.log(`${options.rounds} round(s) each, in the order baseline current, current baseline, ...; medians over rounds, ±spread = (max − min) / median\n`);
  console.log(formatComparison(results.baseline, results.current));
}

await main();
