// Bulk history for the query bench: events, two deliveries each and an attempt per finished delivery,
// written by INSERT … SELECT over generate_series (seconds, not the hours row-by-row inserts would take).
// The mix is fixed and deterministic (modulo arithmetic), so every run measures the same data.
import { EPOCH_MS } from '@eventyard/core';
import type { Knex } from '@eventyard/db';

export const DISPATCHERS = ['billing', 'audit', 'search', 'mail'] as const;
export const APPS = 10;
export const TOPICS_PER_APP = 5;
/** History spans this far back from now. */
export const SPAN_MS = 7 * 24 * 3600 * 1000;

export interface SeedOptions {
  /** Delivery rows; events are half as many (two processors each). */
  deliveries: number;
}

/** Seeds and ANALYZEs; returns the row counts. */
export async function seedHistory(knex: Knex, options: SeedOptions): Promise<{ events: number; deliveries: number; attempts: number }> {
  const events = Math.ceil(options.deliveries / 2);
  const start = Date.now() - SPAN_MS;
  const stepMs = SPAN_MS / events;
  // event_id as the id generator lays it out: milliseconds since EPOCH_MS above 22 bits of node and sequence.
  await knex.raw(
    `
    INSERT INTO events (event_id, app_id, topic_id, status, source, broadcast, payload_size, created_at, recorded_at, updated_at)
    SELECT ((floor(?::float8 + i * ?::float8)::bigint - ?::bigint) << 22) | (i % 4096),
           'app-' || (i % ${APPS}),
           'topic-' || ((i / ${APPS}) % ${TOPICS_PER_APP}),
           CASE WHEN i % 100 < 3 THEN 'filtered' WHEN i % 100 = 3 THEN 'no_subscribers' WHEN i % 200 = 4 THEN 'scheduled' ELSE 'routed' END,
           CASE WHEN i % 100 = 50 THEN 'broadcast' ELSE 'report' END,
           i % 100 = 50,
           128,
           to_timestamp((?::float8 + i * ?::float8) / 1000.0),
           to_timestamp((?::float8 + i * ?::float8) / 1000.0),
           to_timestamp((?::float8 + i * ?::float8) / 1000.0)
    FROM generate_series(0, ?::int - 1) AS i
    `,
    [start, stepMs, EPOCH_MS, start, stepMs, start, stepMs, start, stepMs, events],
  );
  // Two processors per event, rotating over four, so each has a quarter of the deliveries. Statuses by
  // a hash of the row: mostly succeeded, a few percent failed, dead, pending and so on.
  await knex.raw(
    `
    INSERT INTO deliveries (event_id, dispatcher_id, app_id, topic_id, status, attempt_count, created_at, updated_at, finished_at)
    SELECT e.event_id, dispatchers[1 + ((n + k) % 4)], e.app_id, e.topic_id, s.status,
           CASE WHEN s.status IN ('succeeded', 'failed', 'dead') THEN 1 ELSE 0 END,
           e.created_at + interval '10 milliseconds',
           e.created_at + interval '120 milliseconds',
           CASE WHEN s.status IN ('succeeded', 'dead', 'filtered', 'cancelled') THEN e.created_at + interval '120 milliseconds' END
    FROM (SELECT event_id, app_id, topic_id, created_at, row_number() OVER (ORDER BY event_id) AS n FROM events) AS e
    CROSS JOIN generate_series(0, 1) AS k
    CROSS JOIN (SELECT ARRAY[${DISPATCHERS.map((d) => `'${d}'`).join(', ')}] AS dispatchers) AS p
    CROSS JOIN LATERAL (SELECT CASE
        WHEN (n * 7 + k * 13) % 100 < 84 THEN 'succeeded'
        WHEN (n * 7 + k * 13) % 100 < 88 THEN 'failed'
        WHEN (n * 7 + k * 13) % 100 < 89 THEN 'dead'
        WHEN (n * 7 + k * 13) % 100 < 94 THEN 'filtered'
        WHEN (n * 7 + k * 13) % 100 < 96 THEN 'pending'
        WHEN (n * 7 + k * 13) % 100 < 98 THEN 'scheduled'
        WHEN (n * 7 + k * 13) % 100 < 99 THEN 'delivering'
        ELSE 'cancelled' END AS status) AS s
    ORDER BY e.event_id, k
    LIMIT ?
    `,
    [options.deliveries],
  );
  // One attempt per delivery that was tried; one in a hundred is a manual replay.
  await knex.raw(`
    INSERT INTO delivery_attempts (delivery_id, event_id, dispatcher_id, attempt_no, trigger, started_at, finished_at, latency_ms, outcome)
    SELECT id, event_id, dispatcher_id, 1, CASE WHEN id % 100 = 7 THEN 'manual' ELSE 'auto' END,
           created_at + interval '20 milliseconds',
           created_at + interval '20 milliseconds' + (5 + (id * 37) % 400) * interval '1 millisecond',
           5 + (id * 37) % 400,
           CASE status WHEN 'succeeded' THEN 'success' ELSE 'failure' END
    FROM deliveries WHERE status IN ('succeeded', 'failed', 'dead')
    ORDER BY id
  `);
  // VACUUM sets the visibility map (as autovacuum would after a bulk load), so index-only scans are possible.
  await knex.raw('VACUUM ANALYZE events, deliveries, delivery_attempts');
  const count = async (table: string) => Number(((await knex(table).count('* as n').first()) as { n: string } | undefined)?.n ?? 0);
  return { events: await count('events'), deliveries: await count('deliveries'), attempts: await count('delivery_attempts') };
}
