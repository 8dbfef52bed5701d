// Prints the plan (EXPLAIN ANALYZE) of every query the query bench times, on a seeded database that is
// kept between runs in --data-dir (seeded on first use), for checking the history indexes.
//
//   node_modules/.bin/node bench/query/explain.ts [--data-dir /tmp/eventyard-query-pg] [--deliveries 1000000]
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKnex, migrateLatest, startEmbeddedPostgres } from '@eventyard/db';
import { benchQueries } from './queries.ts';
import { seedHistory } from './seed.ts';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string', default: '/tmp/eventyard-query-pg' }, deliveries: { type: 'string', default: '1000000' }, only: { type: 'string' } },
});
const dataDir = values['data-dir'];
await mkdir(dataDir, { recursive: true });
const server = await startEmbeddedPostgres({ dataDir, durable: false });
const knex = createKnex(server.url, { poolMax: 2, applicationName: 'eventyard-query-explain' });
const client = new pg.Client({ connectionString: server.url });
await client.connect();
try {
  await migrateLatest(knex);
  const seeded = Number(((await knex('deliveries').count('* as n').first()) as { n: string } | undefined)?.n ?? 0);
  if (seeded === 0) console.log('seeded', await seedHistory(knex, { deliveries: Number(values.deliveries) }));
  await knex.raw('VACUUM ANALYZE events, deliveries, delivery_attempts');
  for (const query of await benchQueries(knex)) {
    if (values.only !== undefined && !query.name.includes(values.only)) continue;
    // The statements a query issues, captured as knex sends them, then explained one by one.
    const issued: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const capture = (q: { sql: string; bindings?: readonly unknown[] }) => issued.push({ sql: q.sql, bindings: q.bindings ?? [] });
    knex.on('query', capture);
    await query.run();
    knex.off('query', capture);
    console.log(`\n== ${query.name}`);
    for (const { sql, bindings } of issued) {
      if (!/^\s*(select|with)\b/i.test(sql)) continue; // BEGIN, SET LOCAL, COMMIT
      // Sent as knex sent it ($n placeholders), so through pg directly.
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [...bindings]);
      console.log(result.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  }
} finally {
  await client.end();
  await knex.destroy();
  await server.stop();
}
