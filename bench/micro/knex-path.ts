// Client CPU of the hot history statements three ways, alternating in one process: through knex
// (knex.raw(...).options({ name }), how recordRound/writeAttempts sent them before), the captured
// statement on a connection of knex's pool queried with pg directly (pg's callback form), and
// recordRound/writeAttempts as they are now (the latter, plus building the parameters per call).
//   node bench/micro/knex-path.ts [statements per round=2000] [rounds=3]
import type { TestContext } from 'node:test';
import type { Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { capture, hotStatements } from './hot-statements.ts';

const PER_ROUND = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const cleanups: Array<() => Promise<void> | void> = [];
const t = { after: (fn: () => Promise<void> | void) => cleanups.push(fn) } as unknown as TestContext;
interface Connection {
  query(config: unknown, callback: (err: Error | null) => void): void;
}
try {
  const db = await createDatabase(t, { poolMax: 1 });
  const knex = db.knex;
  const statements = hotStatements(knex);
  for (const { name, run } of statements) {
    const captured = await capture(knex, run);
    const direct = async (): Promise<void> => {
      const pool = knex.client as { acquireConnection(): Promise<Connection>; releaseConnection(connection: Connection): Promise<void> };
      const conn = await pool.acquireConnection();
      try {
        await new Promise<void>((resolve, reject) => {
          conn.query({ name: captured.options.name, text: captured.sql, values: captured.bindings }, (err) => (err === null ? resolve() : reject(err)));
        });
      } finally {
        await pool.releaseConnection(conn);
      }
    };
    // The statement as knex.raw takes it: `?` placeholders (the captured text has pg's $n).
    const knexText = captured.sql.replace(/\$\d+/g, '?');
    const viaKnex = async (): Promise<void> => {
      await knex.raw(knexText, captured.bindings as Knex.RawBinding[]).options({ name: captured.options.name });
    };
    const variants = [
      { label: 'knex.raw(...).options({ name })', fn: viaKnex },
      { label: 'pool connection, pg directly', fn: direct },
      { label: 'recordRound / writeAttempts now (parameters built per call)', fn: run },
    ];
    const results = variants.map(() => [] as number[]);
    for (let r = 0; r <= ROUNDS; r++) {
      for (const [i, variant] of variants.entries()) {
        const cpu = process.cpuUsage();
        for (let n = 0; n < PER_ROUND; n++) await variant.fn();
        const used = process.cpuUsage(cpu);
        if (r > 0) results[i]?.push((used.user + used.system) / PER_ROUND);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log(name);
    for (const [i, variant] of variants.entries())
      console.log(
        `  client ${median(results[i] ?? [])
          .toFixed(1)
          .padStart(6)} µs per statement  ${variant.label}`,
      );
  }
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
