// Delivery-history query benchmark (issue 7): seeds 1,000,000 deliveries (500k events, ~890k attempts)
// with generate_series into an embedded Postgres started here, then times every list/filter query the
// admin history routes serve (GET /v1/events, /v1/deliveries, processor stats) through the same db
// functions, p50/p99 over many runs, beside ceilings measured in the same run on the same connection
// pool (a `SELECT 1` round trip and a primary-key lookup). Also times building migration 0005's indexes
// on the seeded tables (what an upgrade of a large history costs). Bounded in time; prints a table.
//
//   node_modules/.bin/node bench/query/run.ts [--deliveries 1000000] [--runs 200]
import { performance } from 'node:perf_hooks';
import type { TestContext } from 'node:test';
import { parseArgs } from 'node:util';
import { migrationSource, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { benchQueries } from './queries.ts';
import { seedHistory } from './seed.ts';
import { percentile } from '../e2e/report.ts';

const { values } = parseArgs({ options: { deliveries: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '200' } } });
const DELIVERIES = Number(values.deliveries);
const RUNS = Number(values.runs);
/** The stats scan a whole window, so fewer runs keep the bench short. */
const STATS_RUNS = Math.max(20, Math.floor(RUNS / 4));
const WARMUP = 10;

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)).padStart(8);

async function timeMigration0005(knex: Knex): Promise<string> {
  const entry = (await migrationSource.getMigrations([])).find((m) => migrationSource.getMigrationName(m) === '0005_history_query_indexes');
  if (entry === undefined) return 'migration 0005 not found';
  const migration = await migrationSource.getMigration(entry);
  if (migration.down === undefined) return 'migration 0005 has no down';
  await migration.down(knex);
  const began = performance.now();
  await migration.up(knex);
  return `migration 0005 (6 indexes built, 2 rebuilt with INCLUDE) on the seeded tables: ${((performance.now() - began) / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const cleanups: Array<() => unknown> = [];
  const { knex } = await createDatabase({ after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext, { poolMax: 4 });
  try {
    const seedStart = performance.now();
    const counts = await seedHistory(knex, { deliveries: DELIVERIES });
    const lines = [
      `seeded ${counts.events} events, ${counts.deliveries} deliveries, ${counts.attempts} attempts in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
      await timeMigration0005(knex),
      '',
      `${'query'.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  rows  runs`,
    ];
    await knex.raw('VACUUM ANALYZE events, deliveries, delivery_attempts');
    for (const query of await benchQueries(knex)) {
      const runs = query.name.startsWith('stats') ? STATS_RUNS : RUNS;
      let rows = 0;
      for (let i = 0; i < WARMUP; i++) await query.run();
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const began = performance.now();
        const result = await query.run();
        samples.push(performance.now() - began);
        rows = Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
      }
      samples.sort((a, b) => a - b);
      const line = `${query.name.padEnd(52)} ${fmt(percentile(samples, 50))} ${fmt(percentile(samples, 99))} ${fmt(samples.at(-1) ?? NaN)} ${String(rows).padStart(5)} ${String(runs).padStart(5)}`;
      lines.push(line);
      console.log(line);
    }
    console.log(`\n${lines.join('\n')}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

await main();
