// The soak (issue 18, item 5): the whole stack as real processes (test/e2e/stack.ts, broker as its own
// process) fed `rate` Reports/s for `durationMs`, two gRPC processors served here, one of which fails
// `failPercent` % of its calls at random (retried through the delay-scheduler), and a short history
// retention so the history tables must stay bounded. Every `sampleMs` it samples each process's RSS, CPU
// and open file descriptors (/proc), each Node process's live heap after a forced GC (live-heap.ts, through
// heap-probe.ts preloaded into every process), the history tables' sizes and rows, and the dispatcher's
// attempt counters; at the end it waits for every acknowledged event to reach both processors and computes the
// least-squares slopes and verdicts. bench/soak/run.ts prints it; test/soak/soak.test.ts runs two minutes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { adminCall, startStack, waitForRouterProcessors, waitUntil, type RunningStack, type ServiceName } from '../../test/e2e/stack.ts';
import { postmasterPid } from '../e2e/cpu-time.ts';
import { HEAP_PROBE_NODE_OPTIONS, liveHeap, type LiveHeap } from './live-heap.ts';
import { sampleProcess, slope, type ProcessSample } from './process-sample.ts';

export interface SoakOptions {
  /** @default 200 */
  rate?: number;
  /** @default 30 min */
  durationMs?: number;
  /** @default 60 s */
  sampleMs?: number;
  /** Share of the flaky processor's calls that fail, percent. @default 10 */
  failPercent?: number;
  /** EY_HISTORY_RETENTION_S of the admin. @default 300 */
  retentionS?: number;
  /** EY_RETENTION_INTERVAL_S of the admin. @default 30 */
  retentionIntervalS?: number;
  /** Progress lines (one per sample). @default none */
  progress?: (line: string) => void;
}

const HISTORY_TABLES = ['events', 'deliveries', 'delivery_attempts', 'schedules'] as const;
const SERVICES: readonly ServiceName[] = ['producer', 'router', 'dispatcher', 'delay-scheduler', 'admin'];
const PROCESSORS = { ok: 'soak-ok', flaky: 'soak-flaky' } as const;

export interface Sample {
  /** Since the load started, ms. */
  atMs: number;
  processes: Record<string, ProcessSample | undefined>;
  tables: Record<string, { bytes: number; rows: number }>;
  /** Each Node process's live heap and external (Buffer) memory after a forced full GC (live-heap.ts), bytes:
   * RSS alone cannot tell a leak from a heap still growing to its working size or from allocator slack. */
  heaps: Record<string, LiveHeap | undefined>;
  /** Dispatcher attempts so far by outcome (its /metrics), all processors. */
  attempts: Record<string, number>;
  /** Calls the flaky processor answered so far, and how many of them it failed on purpose. */
  flakyCalls: number;
  flakyFailed: number;
  reported: number;
  reportErrors: number;
  /** Acknowledged events the slower processor has received so far (its successful calls). */
  delivered: number;
}

export interface Trend {
  name: string;
  unit: string;
  mean: number;
  /** Least-squares slope per minute. */
  slopePerMin: number;
  /** slope × steady span: how much it moved over the run. */
  growth: number;
  /** What counts as flat for this metric (absolute). */
  tolerance: number;
  flat: boolean;
  /** flat, or which way it moved beyond the tolerance. */
  verdict: 'flat within noise' | 'GROWING' | 'shrinking';
}

export interface SoakResult {
  options: Required<Omit<SoakOptions, 'progress'>>;
  samples: Sample[];
  reported: number;
  reportErrors: number;
  /** Acknowledged events that never reached a processor successfully, per processor. */
  lost: Record<string, number>;
  /** Successful calls beyond the first per event, per processor (at-least-once). */
  duplicates: Record<string, number>;
  dead: number;
  /** Per sampling interval: failed attempts / attempts (all processors), and the flaky server's injected ratio. */
  errorRates: Array<{ atMs: number; attempts: number; observed: number; injected: number }>;
  trends: Trend[];
  /** Events rows the retention should hold at most: rate × (retention + interval), and what the steady samples held. */
  tableBound: { expectedEventsMax: number; maxEventsSeen: number; bounded: boolean };
  drainMs: number;
}

function parseAttempts(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of metrics.matchAll(/^eventyard_dispatcher_attempts_total\{([^}]*)\} (\S+)$/gm)) {
    const outcome = /outcome="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? 'unknown';
    out[outcome] = (out[outcome] ?? 0) + Number(match[2]);
  }
  return out;
}

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);
const failedOf = (record: Record<string, number>): number => sum(record) - (record.success ?? record.succeeded ?? 0);

export async function runSoak(input: SoakOptions = {}): Promise<SoakResult> {
  const options = {
    rate: input.rate ?? 200,
    durationMs: input.durationMs ?? 30 * 60_000,
    sampleMs: input.sampleMs ?? 60_000,
    failPercent: input.failPercent ?? 10,
    retentionS: input.retentionS ?? 300,
    retentionIntervalS: input.retentionIntervalS ?? 30,
  };
  const progress = input.progress ?? (() => undefined);
  // Service output is kept in memory by the stack fixture: only errors, over half an hour.
  process.env.EY_E2E_LOG_LEVEL ??= 'error';
  const cleanups: Array<() => unknown> = [];
  // Every process the stack starts inherits these: the probe answers SIGUSR2 with its live heap.
  const heapDir = mkdtempSync(join(tmpdir(), 'ey-soak-heap-'));
  const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, SOAK_HEAP_DIR: process.env.SOAK_HEAP_DIR };
  process.env.NODE_OPTIONS = `${saved.NODE_OPTIONS ?? ''} ${HEAP_PROBE_NODE_OPTIONS}`.trim();
  process.env.SOAK_HEAP_DIR = heapDir;
  cleanups.push(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(heapDir, { recursive: true, force: true });
  });
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  };
  // Ctrl-C or a kill mid-soak: stop the stack first, or its processes outlive the soak (they are not
  // our process group's to take down).
  const stop = (signal: NodeJS.Signals): void => {
    void runCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  cleanups.push(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  try {
    const stack = await startStack(
      { after: (fn: () => unknown) => void cleanups.push(fn) },
      {
        brokerProcess: true,
        brokerFlush: 'interval',
        env: { EY_HISTORY_RETENTION_S: String(options.retentionS), EY_RETENTION_INTERVAL_S: String(options.retentionIntervalS) },
      },
    );
    const received: Record<string, Map<string, number>> = { [PROCESSORS.ok]: new Map(), [PROCESSORS.flaky]: new Map() };
    let flakyCalls = 0;
    let flakyFailed = 0;
    const servers = await Promise.all(
      Object.values(PROCESSORS).map((name) =>
        startDispatchServer({
          port: 0,
          host: '127.0.0.1',
          handler: (req) => {
            if (name === PROCESSORS.flaky) {
              flakyCalls += 1;
              if (Math.random() * 100 < options.failPercent) {
                flakyFailed += 1;
                return { ret: { code: 500, msg: 'injected failure' }, pass_back: Buffer.alloc(0) };
              }
            }
            const seen = received[name];
            seen?.set(req.event_id, (seen.get(req.event_id) ?? 0) + 1);
            return { ret: { code: 0, msg: '' }, pass_back: Buffer.alloc(0) };
          },
        }),
      ),
    );
    cleanups.unshift(() => Promise.all(servers.map((s) => s.close())));
    for (const [i, name] of Object.values(PROCESSORS).entries()) {
      const res = await adminCall(stack, 'POST', '/v1/processor', {
        processor_conf_info: {
          dispatcher_id: name,
          app_id: 'soak',
          topic_id: 'soak',
          protocol_type: 'grpcSend',
          addr: `127.0.0.1:${servers[i]?.port ?? 0}`,
          timeout: 5000,
          // Twenty tries 0.5 s apart: at 10 % failures none should run out (0.1^20).
          retry_strategy: { retry_count: 20, retry_interval: 500 },
        },
      });
      if (res.status !== 200) throw new Error(`registering ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    await waitForRouterProcessors(stack, 2);
    const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
    cleanups.unshift(() => client.close());

    const acked: string[] = [];
    let reportErrors = 0;
    const startedAt = performance.now();
    const samples: Sample[] = [];
    const reportedGone = new Set<string>();
    const dispatcherMetrics = (): Promise<string> =>
      fetch(`http://127.0.0.1:${stack.healthPort('dispatcher')}/metrics`)
        .then((res) => res.text())
        .catch(() => '');
    const takeSample = async (): Promise<Sample> => {
      const processes: Record<string, ProcessSample | undefined> = {};
      const heaps: Sample['heaps'] = {};
      for (const name of SERVICES) {
        const pid = stack.pid(name);
        processes[name] = pid === undefined ? undefined : sampleProcess(pid);
        heaps[name] = pid === undefined ? undefined : await liveHeap(pid, heapDir);
        if (processes[name] === undefined && !reportedGone.has(name)) {
          // A service that died mid-soak is the finding: say so with its last output, once.
          reportedGone.add(name);
          progress(`${name} is gone; its last output:\n${stack.logs(name).slice(-4000)}`);
        }
      }
      if (stack.brokerPid !== undefined) {
        processes.broker = sampleProcess(stack.brokerPid);
        heaps.broker = await liveHeap(stack.brokerPid, heapDir);
      }
      const postgres = postmasterPid();
      if (postgres !== undefined) processes['postgres (all backends)'] = sampleProcess(postgres, true);
      processes['soak driver (client, processors)'] = sampleProcess(process.pid);
      const tables: Sample['tables'] = {};
      for (const table of HISTORY_TABLES) {
        const row = (
          await stack.knex.raw<{ rows: Array<{ bytes: string; n: string }> }>(
            `SELECT pg_total_relation_size(?::regclass) AS bytes, (SELECT count(*) FROM ${table}) AS n`,
            [table],
          )
        ).rows[0];
        tables[table] = { bytes: Number(row?.bytes ?? 0), rows: Number(row?.n ?? 0) };
      }
      const metrics = await dispatcherMetrics();
      return {
        atMs: performance.now() - startedAt,
        processes,
        heaps,
        tables,
        attempts: parseAttempts(metrics),
        flakyCalls,
        flakyFailed,
        reported: acked.length,
        reportErrors,
        delivered: Math.min(...Object.values(received).map((m) => m.size)),
      };
    };

    samples.push(await takeSample());
    let nextSample = options.sampleMs;
    let inFlight = 0;
    const total = Math.round((options.rate * options.durationMs) / 1000);
    for (let i = 0; i < total; i++) {
      const due = (i * 1000) / options.rate;
      const wait = due - (performance.now() - startedAt);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (performance.now() - startedAt >= nextSample) {
        nextSample += options.sampleMs;
        const sample = await takeSample();
        samples.push(sample);
        progress(progressLine(sample, samples[samples.length - 2]));
      }
      // Bounded in flight: a stalled stack slows the driver instead of piling up calls.
      while (inFlight >= 256) await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight += 1;
      client
        .report({ event: { app_id: 'soak', topic_id: 'soak', data: Buffer.from(`{"n":${i}}`) } })
        .then((rsp) => {
          if ((rsp.ret?.code ?? 0) === 0) acked.push(rsp.event_id);
          else reportErrors += 1;
        })
        .catch(() => {
          reportErrors += 1;
        })
        .finally(() => {
          inFlight -= 1;
        });
    }
    await waitUntil(() => inFlight === 0, 120_000, 'every Report answered');
    const drainStart = performance.now();
    const delivered = (name: string): boolean => acked.every((id) => received[name]?.has(id) === true);
    await waitUntil(() => delivered(PROCESSORS.ok) && delivered(PROCESSORS.flaky), 300_000, 'every acknowledged event delivered to both processors').catch(
      () => undefined,
    );
    const drainMs = performance.now() - drainStart;
    const last = await takeSample();
    samples.push(last);
    progress(progressLine(last, samples[samples.length - 2]));
    const metrics = await dispatcherMetrics();
    const dead = [...metrics.matchAll(/^eventyard_dispatcher_dead_total\{[^}]*\} (\S+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    const lost: Record<string, number> = {};
    const duplicates: Record<string, number> = {};
    for (const name of Object.values(PROCESSORS)) {
      const seen = received[name] ?? new Map<string, number>();
      lost[name] = acked.filter((id) => !seen.has(id)).length;
      duplicates[name] = [...seen.values()].reduce((s, n) => s + n - 1, 0);
    }
    return analyse({ options, samples, reported: acked.length, reportErrors, lost, duplicates, dead, drainMs, stack });
  } finally {
    await runCleanups();
  }
}

function progressLine(sample: Sample, previous: Sample | undefined): string {
  const attempts = sum(sample.attempts) - sum(previous?.attempts ?? {});
  const failed = failedOf(sample.attempts) - failedOf(previous?.attempts ?? {});
  const procs = Object.entries(sample.processes)
    .map(([name, p]) => `${name.split(' ')[0]} ${p === undefined ? '-' : `${(p.rssBytes / 2 ** 20).toFixed(0)}MB/${p.fds}fd`}`)
    .join(' ');
  return `t=${(sample.atMs / 1000).toFixed(0)}s reported=${sample.reported} delivered=${sample.delivered} attempts+${attempts} failed ${attempts === 0 ? '-' : ((100 * failed) / attempts).toFixed(1)}% events=${sample.tables.events?.rows ?? 0} | ${procs}`;
}

function trend(name: string, unit: string, points: Array<[number, number]>, tolerance: (mean: number) => number): Trend {
  const mean = points.length === 0 ? 0 : points.reduce((s, [, y]) => s + y, 0) / points.length;
  const slopePerMin = slope(points);
  const spanMin = points.length < 2 ? 0 : (points.at(-1)?.[0] ?? 0) - (points[0]?.[0] ?? 0);
  const growth = slopePerMin * spanMin;
  const tol = tolerance(mean);
  const flat = Math.abs(growth) <= tol;
  return { name, unit, mean, slopePerMin, growth, tolerance: tol, flat, verdict: flat ? 'flat within noise' : growth > 0 ? 'GROWING' : 'shrinking' };
}

function analyse(input: {
  options: SoakResult['options'];
  samples: Sample[];
  reported: number;
  reportErrors: number;
  lost: Record<string, number>;
  duplicates: Record<string, number>;
  dead: number;
  drainMs: number;
  stack: RunningStack;
}): SoakResult {
  const { options, samples } = input;
  const minutes = (s: Sample): number => s.atMs / 60_000;
  // The first sample is taken before any load, and the first minutes hold start-up, JIT and the heaps
  // growing to their working size: trends start after a fifth of the run (at least one interval), and
  // end with the load (the sample after the drain is idle).
  const loaded = samples.filter((s) => s.atMs <= options.durationMs + options.sampleMs / 2);
  const warmupMs = Math.max(options.sampleMs, options.durationMs / 5);
  const steady = loaded.filter((s) => s.atMs >= warmupMs - options.sampleMs / 2);
  const trends: Trend[] = [];
  for (const name of Object.keys(samples[0]?.processes ?? {})) {
    const present = steady.filter((s) => s.processes[name] !== undefined);
    trends.push(
      trend(
        `${name} RSS`,
        'MB',
        present.map((s) => [minutes(s), (s.processes[name]?.rssBytes ?? 0) / 2 ** 20]),
        (mean) => Math.max(16, 0.1 * mean),
      ),
    );
    trends.push(
      trend(
        `${name} open fds`,
        'fds',
        present.map((s) => [minutes(s), s.processes[name]?.fds ?? 0]),
        (mean) => Math.max(8, 0.2 * mean),
      ),
    );
    const withHeap = steady.filter((s) => s.heaps[name] !== undefined);
    if (withHeap.length > 0) {
      for (const [label, field] of [
        ['live heap (after GC)', 'heapUsedBytes'],
        ['heap committed (after GC)', 'heapTotalBytes'],
        ['external memory', 'externalBytes'],
      ] as const) {
        trends.push(
          trend(
            `${name} ${label}`,
            'MB',
            withHeap.map((s) => [minutes(s), (s.heaps[name]?.[field] ?? 0) / 2 ** 20]),
            (mean) => Math.max(8, 0.1 * mean),
          ),
        );
      }
    }
    const cpu: Array<[number, number]> = [];
    for (let i = 1; i < present.length; i++) {
      const a = present[i - 1];
      const b = present[i];
      if (a === undefined || b === undefined) continue;
      cpu.push([minutes(b), (100 * ((b.processes[name]?.cpuSeconds ?? 0) - (a.processes[name]?.cpuSeconds ?? 0))) / ((b.atMs - a.atMs) / 1000)]);
    }
    trends.push(trend(`${name} CPU`, '% core', cpu, (mean) => Math.max(3, 0.25 * mean)));
  }
  // Tables are judged once retention has had time to act: after retention + two passes.
  const settledMs = (options.retentionS + 2 * options.retentionIntervalS) * 1000;
  const settled = loaded.filter((s) => s.atMs >= settledMs);
  for (const table of HISTORY_TABLES) {
    trends.push(
      trend(
        `table ${table}`,
        'MB',
        settled.map((s) => [minutes(s), (s.tables[table]?.bytes ?? 0) / 2 ** 20]),
        (mean) => Math.max(8, 0.25 * mean),
      ),
    );
  }
  const expectedEventsMax = Math.round(options.rate * (options.retentionS + options.retentionIntervalS));
  const maxEventsSeen = Math.max(0, ...settled.map((s) => s.tables.events?.rows ?? 0));
  const errorRates: SoakResult['errorRates'] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined) continue;
    const attempts = sum(b.attempts) - sum(a.attempts);
    const calls = b.flakyCalls - a.flakyCalls;
    errorRates.push({
      atMs: b.atMs,
      attempts,
      observed: attempts === 0 ? 0 : (failedOf(b.attempts) - failedOf(a.attempts)) / attempts,
      injected: calls === 0 ? 0 : (b.flakyFailed - a.flakyFailed) / calls,
    });
  }
  trends.push(
    trend(
      'attempt error rate',
      '%',
      errorRates.filter((r) => r.atMs <= options.durationMs + options.sampleMs / 2).map((r) => [r.atMs / 60_000, 100 * r.observed]),
      () => 3,
    ),
  );
  // Events acknowledged but not yet at both processors: growing means the stack is not keeping up.
  trends.push(
    trend(
      'delivery backlog',
      'events',
      steady.map((s) => [minutes(s), s.reported - s.delivered]),
      () => options.rate * 10,
    ),
  );
  return {
    options,
    samples,
    reported: input.reported,
    reportErrors: input.reportErrors,
    lost: input.lost,
    duplicates: input.duplicates,
    dead: input.dead,
    errorRates,
    trends,
    // 1.5 × the nominal bound: a pass in progress and the drain's rows.
    tableBound: { expectedEventsMax, maxEventsSeen, bounded: settled.length === 0 || maxEventsSeen <= 1.5 * expectedEventsMax },
    drainMs: input.drainMs,
  };
}

/** The result as the table run.ts prints. */
export function formatSoak(result: SoakResult): string {
  const { options } = result;
  const lines = [
    `soak: ${options.rate} events/s for ${(options.durationMs / 60_000).toFixed(1)} min, sampled every ${options.sampleMs / 1000} s, processor soak-flaky failing ${options.failPercent} % of calls, retention ${options.retentionS} s (pass every ${options.retentionIntervalS} s)`,
    `reported ${result.reported} (errors ${result.reportErrors}); lost ${JSON.stringify(result.lost)}; duplicates ${JSON.stringify(result.duplicates)}; dead ${result.dead}; drain after the load ${(result.drainMs / 1000).toFixed(1)} s`,
    `history rows: at most ${result.tableBound.maxEventsSeen} events once retention settled (nominal bound rate × (retention + interval) = ${result.tableBound.expectedEventsMax}): ${result.tableBound.bounded ? 'bounded' : 'NOT bounded'}`,
    `error rate per interval (observed attempts failed / injected at soak-flaky): ${result.errorRates.map((r) => `${(100 * r.observed).toFixed(1)}/${(100 * r.injected).toFixed(1)}`).join(' ')} %`,
    '',
    `${'trend'.padEnd(44)} ${'mean'.padStart(9)} ${'slope/min'.padStart(10)} ${'over run'.padStart(9)} ${'flat if ±'.padStart(9)}  verdict`,
  ];
  for (const t of result.trends) {
    lines.push(
      `${`${t.name} (${t.unit})`.padEnd(44)} ${t.mean.toFixed(1).padStart(9)} ${t.slopePerMin.toFixed(3).padStart(10)} ${t.growth.toFixed(1).padStart(9)} ${t.tolerance.toFixed(1).padStart(9)}  ${t.verdict}`,
    );
  }
  return lines.join('\n');
}
