// Retention under load (issue 18, item 4): can the batched pruning job (pruneHistory) delete history
// as fast as a busy pipeline writes it, without slowing the writers or letting the tables bloat?
//
// Seeds `--events` events (two deliveries and attempts each) written at `--rate` events/s up to now,
// then runs pipeline-shaped writers at `--rate` (router rounds with their deliveries, dispatcher
// attempt batches, every 100 ms) through three phases of `--seconds` each:
//   1. writers only: their statement latency without pruning (the baseline);
//   2. steady retention: pruneHistory every `--prune-every-s` with a retention window equal to the
//      history's age when the phase starts, so it deletes what the writers add, as a service would;
//      its duty cycle (time busy / wall time) is the headroom;
//   3. catch-up: pruneHistory flat out on a backlog (half the table): the pruning ceiling beside the
//      writers.
// Before and after each phase: rows, dead tuples, heap and index sizes, autovacuum runs; at the end a
// manual VACUUM is timed per table (what each autovacuum pass costs at this size). Numbers are noisy on
// a shared machine: compare phases of one run, not runs.
//
//   node_modules/.bin/node bench/retention/run.ts [--events 500000] [--rate 1000] [--seconds 60] [--baseline-seconds 60]
//                                                 [--prune-every-s 5] [--batch 1000] [--durable]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createKnex, migrateLatest, pruneHistory, startEmbeddedPostgres, type Knex } from '@eventyard/db';
import { seedAtRate } from './seed.ts';
import { formatStats, HISTORY_TABLES, tableStats } from './table-stats.ts';
import { PipelineWriters, type WriterSamples } from './writers.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '500000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    'baseline-seconds': { type: 'string' },
    'prune-every-s': { type: 'string', default: '5' },
    batch: { type: 'string', default: '1000' },
    durable: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const PHASE_MS = Number(values.seconds) * 1000;
const BASELINE_MS = Number(values['baseline-seconds'] ?? values.seconds) * 1000;
/** How often the steady phase prints the tables' total size (does it plateau under autovacuum?). */
const TRACE_MS = 30_000;
const PRUNE_EVERY_MS = Number(values['prune-every-s']) * 1000;
const BATCH = Number(values.batch);

const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface PruneSamples {
  rows: number;
  events: number;
  busyMs: number;
  passes: number;
  /** Longest single pruneHistory call. */
  maxPassMs: number;
}

const newPrune = (): PruneSamples => ({ rows: 0, events: 0, busyMs: 0, passes: 0, maxPassMs: 0 });

async function prunePass(knex: Knex, olderThan: Date, into: PruneSamples): Promise<number> {
  const began = performance.now();
  const r = await pruneHistory(knex, { olderThan, batchSize: BATCH });
  const ms = performance.now() - began;
  into.busyMs += ms;
  into.passes += 1;
  into.maxPassMs = Math.max(into.maxPassMs, ms);
  const rows = r.events + r.deliveries + r.attempts;
  into.rows += rows;
  into.events += r.events;
  return rows;
}

function pct(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1)).padStart(7);

function phaseRow(name: string, w: WriterSamples, elapsedMs: number, p: PruneSamples | undefined): string {
  const pruneBusy = p === undefined || p.busyMs === 0 ? '-' : String(Math.round(p.rows / (p.busyMs / 1000)));
  const pruneWall = p === undefined ? '-' : String(Math.round(p.rows / (elapsedMs / 1000)));
  const duty = p === undefined ? '-' : `${((100 * p.busyMs) / elapsedMs).toFixed(0)}%`;
  return [
    name.padEnd(18),
    ms(pct(w.round, 50)),
    ms(pct(w.round, 99)),
    ms(pct(w.attempts, 50)),
    ms(pct(w.attempts, 99)),
    String(Math.round(w.rows / (elapsedMs / 1000))).padStart(8),
    String(w.lateTicks).padStart(5),
    pruneWall.padStart(9),
    pruneBusy.padStart(9),
    duty.padStart(5),
    (p === undefined ? '-' : ms(p.maxPassMs)).padStart(8),
  ].join(' ');
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-retention-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: root, durable: values.durable, settings: { max_connections: '50' } });
  const admin = createKnex(server.url, { poolMax: 2, applicationName: 'bench-retention' });
  const router = createKnex(server.url, { poolMax: 1, applicationName: 'bench-router' });
  const dispatcher = createKnex(server.url, { poolMax: 1, applicationName: 'bench-dispatcher' });
  const pruner = createKnex(server.url, { poolMax: 1, applicationName: 'bench-pruner' });
  const out: string[] = [];
  const say = (line: string): void => {
    out.push(line);
    log(line);
  };
  try {
    await migrateLatest(admin);
    const settings = (
      await admin.raw<{ rows: Array<{ name: string; setting: string }> }>(
        `SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum', 'autovacuum_naptime', 'autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_cost_limit', 'autovacuum_vacuum_cost_delay', 'fsync', 'server_version') ORDER BY name`,
      )
    ).rows;
    say(
      `retention bench: ${os.availableParallelism()} cores (shared: numbers are noisy), PostgreSQL ${settings.map((s) => `${s.name}=${s.setting}`).join(' ')}`,
    );
    const seedBegan = performance.now();
    const seeded = await seedAtRate(admin, { events: EVENTS, rate: RATE });
    const seedStart = seeded.startMs;
    say(
      `seeded ${seeded.events} events, ${seeded.deliveries} deliveries, ${seeded.attempts} attempts, ${seeded.timers} live timers (span ${(seeded.spanMs / 1000).toFixed(0)} s at ${RATE}/s) in ${((performance.now() - seedBegan) / 1000).toFixed(1)} s`,
    );
    say(formatStats('seeded (after VACUUM ANALYZE)', await tableStats(admin)));

    const writers = new PipelineWriters({ router, dispatcher, rate: RATE });
    const rows: string[] = [];
    writers.phase = 'writers only';
    writers.start();
    let began = performance.now();
    await sleep(BASELINE_MS);
    rows.push(phaseRow('writers only', writers.samples('writers only'), performance.now() - began, undefined));
    say(formatStats('after phase 1 (writers only)', await tableStats(admin)));

    // Phase 2: the window is the history's age now, so each pass deletes what fell out since the last.
    const windowMs = Date.now() - seedStart;
    // Steady means the pruner walks through seeded rows (written at exactly --rate) the whole phase.
    if (seeded.spanMs < PHASE_MS)
      say(
        `note: the seed spans ${(seeded.spanMs / 1000).toFixed(0)} s, less than the phase: pruning reaches the gap left while seeding (raise --events to rate × seconds)`,
      );
    const steady = newPrune();
    writers.phase = 'steady retention';
    began = performance.now();
    let nextTrace = TRACE_MS;
    const trace: string[] = [];
    while (performance.now() - began < PHASE_MS) {
      if (performance.now() - began >= nextTrace) {
        nextTrace += TRACE_MS;
        const s = await tableStats(admin);
        const live = s.reduce((a, x) => a + x.live, 0);
        const heap = s.reduce((a, x) => a + x.heapBytes, 0);
        const index = s.reduce((a, x) => a + x.indexBytes, 0);
        const line = `   t=${((performance.now() - began) / 1000).toFixed(0)}s live ${live} dead ${s.reduce((a, x) => a + x.dead, 0)} heap ${(heap / 2 ** 20).toFixed(0)} MB index ${(index / 2 ** 20).toFixed(0)} MB (${Math.round((heap + index) / Math.max(1, live))} B per live row) autovacuums ${s.map((x) => x.autovacuums).join('/')}`;
        trace.push(line);
        log(line);
      }
      const passBegan = performance.now();
      await prunePass(pruner, new Date(Date.now() - windowMs), steady);
      const wait = PRUNE_EVERY_MS - (performance.now() - passBegan);
      if (wait > 0) await sleep(Math.min(wait, PHASE_MS - (performance.now() - began)));
    }
    rows.push(phaseRow('steady retention', writers.samples('steady retention'), performance.now() - began, steady));
    out.push('steady retention, every 30 s (total over the three tables; autovacuum runs events/deliveries/attempts):', ...trace);
    say(
      formatStats(
        `after phase 2 (steady retention, window ${(windowMs / 1000).toFixed(0)} s, a pass every ${PRUNE_EVERY_MS / 1000} s)`,
        await tableStats(admin),
      ),
    );

    // Phase 3: a backlog of half the window, pruned flat out in 5-second slices of history.
    const catchUp = newPrune();
    writers.phase = 'catch-up pruning';
    began = performance.now();
    let cutoff = Date.now() - windowMs;
    const target = Date.now() - windowMs / 2;
    while (performance.now() - began < PHASE_MS && cutoff < target) {
      cutoff = Math.min(target, cutoff + 5000);
      await prunePass(pruner, new Date(cutoff), catchUp);
    }
    const phase3Ms = performance.now() - began;
    rows.push(phaseRow('catch-up pruning', writers.samples('catch-up pruning'), phase3Ms, catchUp));
    say(
      `catch-up: deleted ${catchUp.events} events (${catchUp.rows} rows) in ${(phase3Ms / 1000).toFixed(1)} s${cutoff < target ? ' (phase time up before the backlog was gone)' : ''}`,
    );
    say(formatStats('after phase 3 (catch-up)', await tableStats(admin)));
    await writers.stop();

    const vacuums: string[] = [];
    for (const table of HISTORY_TABLES) {
      const t0 = performance.now();
      await admin.raw(`VACUUM ${table}`);
      vacuums.push(`${table} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    say(`manual VACUUM after the run: ${vacuums.join(', ')}`);
    say(formatStats('after VACUUM', await tableStats(admin)));

    const header = [
      'phase'.padEnd(18),
      'round'.padStart(7),
      'p99'.padStart(7),
      'attempt'.padStart(7),
      'p99'.padStart(7),
      'ins/s'.padStart(8),
      'late'.padStart(5),
      'del/s'.padStart(9),
      'del/busy'.padStart(9),
      'duty'.padStart(5),
      'max pass'.padStart(8),
    ].join(' ');
    console.log(`\n${out.join('\n')}\n`);
    console.log(
      'writers: router round (events+deliveries, one statement) and dispatcher attempt batch, p50/p99 ms; ins/s = rows inserted per s; late = ticks more than one tick behind',
    );
    console.log(
      'pruning: del/s = rows deleted per s of wall time, del/busy = per s of pruning time (the ceiling), duty = share of the phase spent pruning, max pass ms',
    );
    console.log(header);
    for (const row of rows) console.log(row);
  } finally {
    await Promise.all([admin.destroy(), router.destroy(), dispatcher.destroy(), pruner.destroy()]);
    await server.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
