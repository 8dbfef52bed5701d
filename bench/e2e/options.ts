// The e2e bench's command line, parsed and checked in one place so a typo fails before any stack starts
// (a bench round costs a minute; a bad `--rounds` found after the baseline install costs more).
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Offered rate of the fixed-rate phase, events/s. */
  rate: number;
  /** Length of the fixed-rate phase, s. */
  seconds: number;
  /** Events of the burst phase. */
  burst: number;
  /** The processor's `concurrency` (0 = the dispatcher's EY_DISPATCH_DEFAULT_CONCURRENCY). */
  concurrency: number;
  brokerFlush: 'always' | 'interval';
  /** Extra service settings, given to every tree's services. */
  env: Record<string, string>;
  /**
   * Settings for the current tree's services only (after `env`): with `--baseline HEAD`, the same code
   * with and without a setting, alternated in one invocation (a batching window against its latency).
   */
  currentEnv: Record<string, string>;
  /** Git ref of the tree to compare with; undefined = measure the current tree only. */
  baseline: string | undefined;
  /** With a baseline: how many A B rounds (each tree's stack started afresh per round). */
  rounds: number;
  /**
   * Where each service writes a V8 CPU profile (`--cpu-prof`), one directory per tree, round and
   * service; undefined = no profiling. Summarise one with bench/profiles/summarise.ts.
   */
  cpuProfDir: string | undefined;
  /** Only the fixed-rate phase (no burst, no ceilings): a quicker run, and a profile of that load alone. */
  rateOnly: boolean;
  /**
   * Seconds of traffic at the offered rate before anything is measured (0 = only the 50-event warm-up):
   * every process then runs optimized code and has grown its heap, so the fixed-rate phase measures the
   * steady state instead of the first seconds after start-up.
   */
  warmSeconds: number;
}

export const USAGE =
  'usage: node bench/e2e/run.ts [--rate 1000] [--seconds 10] [--burst 5000] [--concurrency 0] [--broker-flush interval|always] [--env EY_X=1 ...] [--baseline <git-ref> [--rounds 2] [--current-env EY_X=1 ...]] [--rate-only] [--warm-seconds 0] [--cpu-prof <dir>]';

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'BenchUsageError';
  }
}

function positiveInt(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new BenchUsageError(`--${name} wants an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** KEY=VALUE pairs of a repeatable option, as a record. */
function settings(name: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new BenchUsageError(`--${name} wants KEY=VALUE, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** Parses `argv` (without node and the script); throws BenchUsageError naming the bad option. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        rate: { type: 'string', default: '1000' },
        seconds: { type: 'string', default: '10' },
        burst: { type: 'string', default: '5000' },
        concurrency: { type: 'string', default: '0' },
        // `interval` is Apache Kafka's default behaviour (acks once in the page cache, flushed
        // periodically: a broker kill -9 loses nothing); `always` fsyncs before every ack.
        'broker-flush': { type: 'string', default: 'interval' },
        // `--env EY_ROUTER_COMMIT_INTERVAL_MS=500` (repeatable).
        env: { type: 'string', multiple: true, default: [] },
        'current-env': { type: 'string', multiple: true, default: [] },
        baseline: { type: 'string' },
        rounds: { type: 'string', default: '2' },
        'rate-only': { type: 'boolean', default: false },
        'warm-seconds': { type: 'string', default: '0' },
        'cpu-prof': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err));
  }
  const flush = values['broker-flush'];
  if (flush !== 'always' && flush !== 'interval') throw new BenchUsageError(`--broker-flush wants always or interval, got ${JSON.stringify(flush)}`);
  const env = settings('env', values.env);
  const currentEnv = settings('current-env', values['current-env']);
  if (values.baseline === undefined && Object.keys(currentEnv).length > 0) {
    throw new BenchUsageError('--current-env only applies with --baseline (use --env for a single tree)');
  }
  if (values.baseline === '') throw new BenchUsageError('--baseline wants a git ref (a commit, branch or tag), got an empty string');
  if (values['cpu-prof'] === '') throw new BenchUsageError('--cpu-prof wants a directory for the profiles, got an empty string');
  if (values.baseline === undefined && argv.some((arg) => arg === '--rounds' || arg.startsWith('--rounds='))) {
    throw new BenchUsageError('--rounds only applies with --baseline (one tree is measured once)');
  }
  return {
    rate: positiveInt('rate', values.rate, 1),
    seconds: positiveInt('seconds', values.seconds, 1),
    burst: positiveInt('burst', values.burst, 1),
    concurrency: positiveInt('concurrency', values.concurrency, 0),
    brokerFlush: flush,
    env,
    currentEnv,
    baseline: values.baseline,
    rounds: positiveInt('rounds', values.rounds, 1),
    cpuProfDir: values['cpu-prof'],
    rateOnly: values['rate-only'],
    warmSeconds: positiveInt('warm-seconds', values['warm-seconds'], 0),
  };
}

/**
 * Which tree runs first in round `index` (1-based): A B, then B A, and so on. With the baseline always
 * first, an A/A run of one commit against itself at 1,000/s read the current tree's p99 at 0.54× (CPU
 * 1.00×); alternating the order cancels an order effect over an even number of rounds, and a 4-round A/A
 * so read p99 1.05×. `--rounds` is best even.
 */
export function roundOrder<T>(index: number, baseline: T, current: T): [T, T] {
  return index % 2 === 1 ? [baseline, current] : [current, baseline];
}
