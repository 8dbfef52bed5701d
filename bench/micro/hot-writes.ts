// Cost of the hot history statements (the router's round, the dispatcher's attempt batch) run unnamed
// (parsed and planned by Postgres on every execution) and as named prepared statements (once per
// connection), on both sides: this process's CPU (knex + pg) and the Postgres backend's CPU, read from
// /proc for the one connection's backend. Variants alternate in one process (a loaded machine makes
// separate runs incomparable). The statements are the ones recordRound/writeAttempts send, captured
// from knex's `query` event, each a one-row batch (what a paced 1,000/s mostly writes).
//   node bench/micro/hot-writes.ts [statements per round=2000] [rounds=3]
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { createDatabase } from '@eventyard/db/testing';
import { capture, hotStatements } from './hot-statements.ts';

const PER_ROUND = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const cleanups: Array<() => Promise<void> | void> = [];
const t = { after: (fn: () => Promise<void> | void) => cleanups.push(fn) } as unknown as TestContext;

/** User + system CPU of a process, µs (Linux clock ticks of 10 ms: rounds are long enough for that). */
function processCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

try {
  const db = await createDatabase(t, { poolMax: 1 });
  const knex = db.knex;
  // Replayed on a connection of its own, so its backend's CPU is these statements' alone.
  const connection = new pg.Client({ connectionString: db.url });
  await connection.connect();
  cleanups.push(() => connection.end());
  const pid = Number((await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
  const statements = [];
  for (const { name, run } of hotStatements(knex)) statements.push({ name, captured: await capture(knex, run) });
  for (const { name, captured } of statements) {
    const pgName = captured.options.name;
    const variants = [
      { label: 'unnamed (parsed and planned per execution)', config: () => ({ text: captured.sql, values: captured.bindings }) },
      { label: `named prepared statement (${String(pgName)})`, config: () => ({ name: pgName, text: captured.sql, values: captured.bindings }) },
    ];
    const results = variants.map(() => ({ client: [] as number[], server: [] as number[] }));
    for (let r = 0; r <= ROUNDS; r++) {
      for (const [i, variant] of variants.entries()) {
        const cpu = process.cpuUsage();
        const server = processCpuMicros(pid);
        for (let n = 0; n < PER_ROUND; n++) await connection.query(variant.config() as pg.QueryConfig);
        const used = process.cpuUsage(cpu);
        if (r === 0) continue; // warm-up
        results[i]?.client.push((used.user + used.system) / PER_ROUND);
        results[i]?.server.push((processCpuMicros(pid) - server) / PER_ROUND);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log(name);
    for (const [i, variant] of variants.entries()) {
      const res = results[i] ?? { client: [], server: [] };
      console.log(
        `  client ${median(res.client).toFixed(1).padStart(6)} µs  Postgres ${median(res.server).toFixed(1).padStart(6)} µs per statement  ${variant.label}`,
      );
    }
  }
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
