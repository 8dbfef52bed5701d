// Delay-scheduler benchmark (issue 6): firing lateness with 100,000 pending timers, and the scheduler
// process's memory and CPU with 10k / 100k / 1M timers pending, beside ceilings measured in the same run
// on the same broker and database (raw kafkajs produce rate of the same records, and the bare claim
// query on the 1M-row table). The scheduler runs as a child process (`services/delay-scheduler/src/main.ts`)
// so its RSS and CPU (/proc/<pid>) are its own. Timers are bulk-inserted straight into `schedules`
// with generate_series, as the intake would have stored them. Bounded in time; prints tables and exits.
//
//   node_modules/.bin/node bench/scheduler/run.ts [--timers 100000] [--window 20]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '@eventyard/broker';
import { NODE_FLAGS, REPO_ROOT } from '@eventyard/cli/stack';
import { claimDueTimers, findFreePort, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { waitUntil } from '../../test/e2e/stack.ts';
import { percentile } from '../e2e/report.ts';

const { values } = parseArgs({ options: { timers: { type: 'string', default: '100000' }, window: { type: 'string', default: '20' } } });
const FIRE_TIMERS = Number(values.timers);
const WINDOW_S = Number(values.window);
/** Timers start falling due this long after the insert, so the scheduler is idle and ready first. */
const LEAD_MS = 5000;
const PENDING_COUNTS = [0, 10_000, 100_000, 1_000_000] as const;
const VALUE_BYTES = 256;
const TARGET = 'bench.fired';
const CLK_TCK = clockTicks();

interface Sample {
  rssKb: number;
  cpuMs: number;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

/** RSS and user+system CPU of a process, from /proc. */
async function sample(pid: number): Promise<Sample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name "(...)": index 0 is field 3 (state), so utime (14) and stime (15) are 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKb, cpuMs: (ticks * 1000) / CLK_TCK };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scheduler {
  child: ChildProcess;
  pid: number;
  healthPort: number;
  output(): string;
  stop(): Promise<void>;
}

async function startScheduler(databaseUrl: string, brokers: string): Promise<Scheduler> {
  const healthPort = await findFreePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_') && k !== 'DATABASE_URL' && k !== 'KAFKA_BROKERS')) as Record<
    string,
    string
  >;
  const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO_ROOT, 'services/delay-scheduler/src/main.ts')], {
    env: {
      ...env,
      EY_DATABASE_URL: databaseUrl,
      EY_KAFKA_BROKERS: brokers,
      EY_HEALTH_PORT: String(healthPort),
      EY_LOG_LEVEL: 'warn',
      EY_TOPIC_PARTITIONS: '3',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`delay-scheduler exited with ${child.exitCode}:\n${output}`);
      try {
        return (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'delay-scheduler ready',
  );
  return {
    child,
    pid: child.pid ?? 0,
    healthPort,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Inserts `count` timers for TARGET in one statement: timer i is due at startMs + i·stepUs µs and carries
 * its due time (epoch ms, fractional) in the `bench-due` header, which the scheduler produces as stored.
 */
async function insertTimers(knex: Knex, count: number, startMs: number, stepUs: number): Promise<number> {
  const began = performance.now();
  await knex.raw(
    `INSERT INTO schedules (id, kind, due_at, target_topic, message_key, value, headers)
     SELECT 'bench:' || i, 'delay',
            to_timestamp(?::float8 / 1000) + make_interval(secs => i * ?::float8 / 1e6),
            ?, convert_to('k' || (i % 64), 'UTF8'), convert_to(repeat('v', ?), 'UTF8'),
            jsonb_build_object('bench-due', (?::float8 + i * ?::float8 / 1000)::text)
       FROM generate_series(0, ? - 1) AS i`,
    [startMs, stepUs, TARGET, VALUE_BYTES, startMs, stepUs, count],
  );
  await knex.raw('ANALYZE schedules');
  return performance.now() - began;
}

async function main(): Promise<void> {
  const cleanups: Array<() => unknown> = [];
  const { knex, url: databaseUrl } = await createDatabase({ after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext);
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-bench-scheduler-'));
  const broker = await startBroker({ port: 0, dataDir, groupInitialRebalanceDelayMs: 0 });
  const brokers = `127.0.0.1:${broker.port}`;
  const kafka = new Kafka({ clientId: 'bench-scheduler', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: TARGET, numPartitions: 3 },
      { topic: 'bench.ceiling', numPartitions: 3 },
    ],
  });
  await admin.disconnect();
  const started = performance.now();
  const lines: string[] = [];

  try {
    // Ceiling 1: raw kafkajs produce of the same records, in batches of the scheduler's default claim size.
    {
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      const total = 50_000;
      const value = Buffer.alloc(VALUE_BYTES, 'v');
      const began = performance.now();
      for (let sent = 0; sent < total; sent += 500) {
        await producer.send({
          topic: 'bench.ceiling',
          acks: -1,
          messages: Array.from({ length: 500 }, (_, i) => ({
            key: `k${(sent + i) % 64}`,
            value,
            headers: { 'bench-due': String(Date.now()), 'ey-timer-id': `bench:${sent + i}` },
          })),
        });
      }
      const seconds = (performance.now() - began) / 1000;
      await producer.disconnect();
      lines.push(
        `ceiling: raw kafkajs produce, ${VALUE_BYTES} B records, batches of 500, acks -1: ${Math.round(total / seconds).toLocaleString('en')} records/s`,
      );
    }

    // (a) Firing lateness: FIRE_TIMERS timers due evenly over WINDOW_S seconds, starting LEAD_MS after the insert.
    const lateness: number[] = [];
    let fireRow = '';
    {
      const consumer = kafka.consumer({ groupId: `bench-fired-${Date.now()}`, maxWaitTimeInMs: 20 });
      await consumer.connect();
      await consumer.subscribe({ topic: TARGET, fromBeginning: true });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.run({
        eachBatch: async ({ batch }) => {
          // Fractional ms: Date.now() floors, which would show on-time records up to 1 ms early.
          const now = performance.timeOrigin + performance.now();
          for (const message of batch.messages) lateness.push(now - Number(message.headers?.['bench-due']?.toString()));
        },
      });
      await waitUntil(() => joined, 30_000, 'lateness consumer joined');
      const scheduler = await startScheduler(databaseUrl, brokers);
      try {
        await sleep(2000);
        const stepUs = (WINDOW_S * 1e6) / FIRE_TIMERS;
        const startMs = Date.now() + LEAD_MS;
        const insertMs = await insertTimers(knex, FIRE_TIMERS, startMs, stepUs);
        if (Date.now() > startMs) throw new Error(`inserting ${FIRE_TIMERS} timers took ${Math.round(insertMs)} ms, longer than the ${LEAD_MS} ms lead`);
        const before = await sample(scheduler.pid);
        let peakRss = before.rssKb;
        const deadline = startMs + WINDOW_S * 1000 + 120_000;
        while (lateness.length < FIRE_TIMERS && Date.now() < deadline) {
          await sleep(250);
          peakRss = Math.max(peakRss, (await sample(scheduler.pid)).rssKb);
        }
        const after = await sample(scheduler.pid);
        const busyS = (Date.now() - startMs) / 1000;
        const sorted = [...lateness].sort((a, b) => a - b);
        const early = sorted.filter((l) => l < 0).length;
        fireRow =
          `firing: ${lateness.length.toLocaleString('en')}/${FIRE_TIMERS.toLocaleString('en')} received (${WINDOW_S} s window, ${Math.round(FIRE_TIMERS / WINDOW_S).toLocaleString('en')} due/s; insert ${Math.round(insertMs)} ms)\n` +
          `  lateness ms: p50 ${percentile(sorted, 50).toFixed(1)}  p90 ${percentile(sorted, 90).toFixed(1)}  p99 ${percentile(sorted, 99).toFixed(1)}  max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)}  min ${(sorted[0] ?? Number.NaN).toFixed(1)}  early ${early}\n` +
          `  scheduler while firing: peak RSS ${(peakRss / 1024).toFixed(0)} MiB, CPU ${((after.cpuMs - before.cpuMs) / 1000).toFixed(1)} s over ${busyS.toFixed(1)} s (${((100 * (after.cpuMs - before.cpuMs)) / 1000 / busyS).toFixed(0)}% of a core)`;
        fireRow += `\n  ${await fireLagSplit(scheduler.healthPort)}`;
        const left = Number(((await knex('schedules').count('* as n').first()) as { n: string | number } | undefined)?.n ?? 0);
        if (left > 0) fireRow += `\n  ${left} timers still in the table after the deadline`;
      } finally {
        await scheduler.stop();
        await consumer.disconnect();
      }
    }

    // (b) Memory and CPU with N timers pending, all due in a day: nothing fires, the scheduler only polls.
    const rows: string[] = [];
    let claimRow = '';
    for (const count of PENDING_COUNTS) {
      await knex.raw('TRUNCATE schedules');
      const insertMs = count === 0 ? 0 : await insertTimers(knex, count, Date.now() + 86_400_000, 1000);
      const scheduler = await startScheduler(databaseUrl, brokers);
      try {
        const startup = await sample(scheduler.pid);
        await sleep(3000);
        const idleFrom = await sample(scheduler.pid);
        const idleMs = 5000;
        await sleep(idleMs);
        const idleTo = await sample(scheduler.pid);
        rows.push(
          [
            count.toLocaleString('en').padStart(9),
            `${Math.round(insertMs)}`.padStart(9),
            `${(startup.rssKb / 1024).toFixed(1)}`.padStart(13),
            `${(idleTo.rssKb / 1024).toFixed(1)}`.padStart(10),
            `${(startup.cpuMs / 1000).toFixed(2)}`.padStart(14),
            `${((100 * (idleTo.cpuMs - idleFrom.cpuMs)) / idleMs).toFixed(1)}`.padStart(14),
          ].join(' | '),
        );
      } finally {
        await scheduler.stop();
      }
      if (count === 1_000_000) claimRow = await claimCeiling(knex);
    }

    console.log(`\ndelay-scheduler bench (defaults: poll 500 ms, lookahead 5000 ms, batch 500, max held 20000); ${new Date().toISOString()}\n`);
    for (const line of lines) console.log(line);
    console.log(claimRow);
    console.log();
    console.log(fireRow);
    console.log('\n  pending | insert ms | RSS ready MiB | RSS +8 s MiB | CPU to ready s | idle CPU % core');
    for (const row of rows) console.log(row);
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/**
 * The scheduler's own fire lag (broker acknowledgement − due time, its histogram), as the share of timers
 * within each bucket: with the consumer-measured lateness it splits the time between the scheduler's
 * rounds and the trip from the broker to the consumer.
 */
async function fireLagSplit(healthPort: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const buckets = [...text.matchAll(/eventyard_scheduler_fire_lag_seconds_bucket\{([^}]*)\} (\d+)/g)]
    .map((m) => ({ le: /le="([^"]+)"/.exec(m[1] ?? '')?.[1] ?? '', n: Number(m[2]) }))
    .filter((b) => b.le !== '');
  const total = buckets.find((b) => b.le === '+Inf')?.n ?? 0;
  if (total === 0) return 'scheduler fire lag histogram: empty';
  const shares = buckets
    .filter((b) => ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5'].includes(b.le))
    .map((b) => `≤${Number(b.le) * 1000} ms ${((100 * b.n) / total).toFixed(1)}%`);
  return `scheduler's own fire lag (due → broker ack, ${total.toLocaleString('en')} timers): ${shares.join(', ')}`;
}

/** Median and max of `runs` timings of `query`, each in its own transaction that is rolled back. */
async function timeRolledBack(knex: Knex, runs: number, query: (trx: Knex.Transaction) => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await knex
      .transaction(async (trx) => {
        const began = performance.now();
        await query(trx);
        times.push(performance.now() - began);
        throw new Error('rollback');
      })
      .catch((err: unknown) => {
        if (!(err instanceof Error && err.message === 'rollback')) throw err;
      });
  }
  const sorted = times.sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`;
}

/**
 * Database ceilings on the 1M-row table (every row due, so each query returns a full batch): the bare
 * SELECT … FOR UPDATE SKIP LOCKED LIMIT 500, the scheduler's whole claim (UPDATE … RETURNING *), and the
 * DELETE of 500 fired ids that ends each fire round. Each rolled back, 20 runs.
 */
async function claimCeiling(knex: Knex): Promise<string> {
  const select = await timeRolledBack(knex, 20, (trx) =>
    trx.raw(
      `SELECT id FROM schedules
        WHERE due_at <= now() + interval '30 days' AND (claimed_by IS NULL OR claimed_until < now())
        ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED`,
    ),
  );
  const claim = await timeRolledBack(knex, 20, (trx) =>
    claimDueTimers(trx, { owner: 'bench', claimMs: 30_000, dueBefore: new Date(Date.now() + 30 * 86_400_000), limit: 500 }),
  );
  let run = 0;
  const remove = await timeRolledBack(knex, 20, (trx) => {
    // Ids spread over the table (all exist: at most 19·50,000 + 499·97 < 1,000,000), like a round's.
    const base = (run += 1) * 50_000 - 50_000;
    const ids = Array.from({ length: 500 }, (_, i) => `bench:${base + i * 97}`);
    return trx('schedules').whereIn('id', ids).delete();
  });
  return [
    `ceiling on 1,000,000 rows, 500 per query, 20 runs each:`,
    `  SELECT … ORDER BY due_at FOR UPDATE SKIP LOCKED LIMIT 500: ${select}`,
    `  the scheduler's claim (claimDueTimers: UPDATE … RETURNING *): ${claim}`,
    `  DELETE 500 fired ids: ${remove}`,
  ].join('\n');
}

await main();
