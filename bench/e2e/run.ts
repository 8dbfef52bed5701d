// End-to-end throughput and Report→Dispatch latency through all services (real processes), printed
// beside the ceilings measured in the same run on the same broker: kafkajs produce→consume of the same
// payloads, and a bare gRPC unary echo. Bounded in time; prints a table and exits.
//
// With `--baseline <git-ref>`, the same phases run alternately on that commit's stack (a git worktree of
// it, its own services, broker, migrations and Node) and on this tree's, `--rounds` times each, and the
// two are printed side by side with their ratio and the spread between rounds: on a noisy machine only a
// ratio taken in one invocation means anything.
//
//   node_modules/.bin/node bench/e2e/run.ts [--rate 1000] [--seconds 10] [--burst 5000] [--env EY_X=1 ...]
//                                           [--baseline <git-ref> [--rounds 2] [--current-env EY_X=1 ...]]
//                                           [--rate-only] [--warm-seconds 0] [--cpu-prof <dir>]
//
// `--current-env` gives a setting to the current tree only: `--baseline HEAD --current-env EY_X=…` is
// the same code with and without it. `--rate-only` runs the fixed-rate phase alone (no burst, no ceilings);
// `--warm-seconds N` drives the offered rate for N s before measuring (the steady state, not the first
// seconds after start-up); `--cpu-prof <dir>` has every
// service write a V8 CPU profile under <dir>/<tree>-<round>/<service>/ (bench/profiles/summarise.ts).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@eventyard/cli/stack';
import { prepareBaselineTree } from './baseline-tree.ts';
import { BenchUsageError, parseBenchOptions, roundOrder, type BenchOptions } from './options.ts';
import { runPhases, type Row } from './phases.ts';
import { formatComparison, formatTable, type TreeRounds } from './report.ts';
import { inspectTree, startTreeStack, type TreeInfo, type TreeStack } from './tree-stack.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The stack running now, closed by the signal handler when the bench is interrupted. */
let running: TreeStack | undefined;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the stack`);
    void (running?.close() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

/** One round on one tree: its stack started afresh, every phase, the stack stopped. */
async function round(tree: TreeInfo, options: BenchOptions, index: number): Promise<Row[]> {
  const cpuProfDir = options.cpuProfDir === undefined ? undefined : join(options.cpuProfDir, `${tree.label}-${index}`);
  const stack = await startTreeStack(tree, { brokerFlush: options.brokerFlush, ...(cpuProfDir === undefined ? {} : { cpuProfDir }) });
  running = stack;
  try {
    return await runPhases(stack, tree.adminToken, options);
  } catch (err) {
    log(`${tree.label} stack output:\n${stack.logs()}`);
    throw err;
  } finally {
    running = undefined;
    await stack.close();
    if (cpuProfDir !== undefined) log(`${tree.label} round ${index}: CPU profiles under ${cpuProfDir}/<service>/ (node bench/profiles/summarise.ts <file>)`);
  }
}

function headline(options: BenchOptions): string {
  return `e2e bench: 256 B payloads, one processor (gRPC Dispatch), all services and the broker (--flush ${options.brokerFlush}) as separate processes, ${availableParallelism()} cores`;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchUsageError) {
      log(err.message);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const current = await inspectTree('current', REPO_ROOT, { ...options.env, ...options.currentEnv });
  if (options.baseline === undefined) {
    for (const note of current.notes) log(note);
    const rows = await round(current, options, 1);
    console.log(`\n${headline(options)}\n`);
    console.log(formatTable(rows));
    return;
  }

  const tree = await prepareBaselineTree(REPO_ROOT, options.baseline, { log });
  const baseline = await inspectTree('baseline', tree.root, options.env);
  const results: Record<'baseline' | 'current', TreeRounds> = { baseline: { label: 'baseline', rounds: [] }, current: { label: 'current', rounds: [] } };
  for (let i = 1; i <= options.rounds; i++) {
    // A B B A: both trees see the same drift of the machine's load over the run, and each runs first as
    // often as second.
    for (const info of roundOrder(i, baseline, current)) {
      log(`round ${i}/${options.rounds}: ${info.label} (${info.root})`);
      const rows = await round(info, options, i);
      results[info.label as 'baseline' | 'current'].rounds.push(rows);
      const e2e = rows[0];
      const cpu = rows.find((row) => row.what.trim() === 'cpu: all processes')?.cpuMs;
      if (e2e !== undefined)
        log(
          `  ${e2e.what}: ${e2e.perSecond.toFixed(0)}/s, p50 ${e2e.p50?.toFixed(1)} ms, p99 ${e2e.p99?.toFixed(1)} ms${cpu === undefined ? '' : `, ${cpu.toFixed(3)} ms CPU per event`}`,
        );
    }
  }
  console.log(`\n${headline(options)}`);
  const currentSettings = Object.entries(options.currentEnv).map(([name, value]) => `${name}=${value}`);
  console.log(
    `baseline: ${options.baseline} = ${tree.commit.slice(0, 12)} (${tree.root}${tree.reused ? ', reused' : ''}); current: ${REPO_ROOT}${currentSettings.length === 0 ? '' : ` with ${currentSettings.join(' ')}`}`,
  );
  console.log(
    `${options.rounds} round(s) each, in the order baseline current, current baseline, ...; each round starts its tree's stack on fresh ports and data`,
  );
  for (const note of [...baseline.notes, ...current.notes]) console.log(`note: ${note}`);
  console.log("spread = (max − min) / median over a tree's rounds; cur/base = ratio of the medians; per round = range of round i current / round i baseline\n");
  console.log(formatComparison(results.baseline, results.current));
}

await main();
