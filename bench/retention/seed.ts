// History laid down as the pipeline would have written it at a steady rate: `events` events spaced
// 1000/rate ms apart and ending now, two deliveries each, one attempt per tried delivery, and a live
// timer (a repeat chain or long delay) on one event in a thousand, so retention has a window's worth
// of rows to age out at exactly the rate the writers add them. INSERT … SELECT over generate_series:
// seconds for a million rows, where the pipeline's own statements would take the bench's whole budget.
import { EPOCH_MS } from '@eventyard/core';
import type { Knex } from '@eventyard/db';

export const DISPATCHERS = ['billing', 'audit', 'search', 'mail'] as const;

export interface SeedOptions {
  events: number;
  /** Events per second the seeded history was written at (its span is events / rate seconds). */
  rate: number;
}

export interface SeedResult {
  events: number;
  deliveries: number;
  attempts: number;
  timers: number;
  /** The seeded history's span: a retention of this length keeps exactly the seed. */
  spanMs: number;
  /** created_at of the first seeded event, ms since the Unix epoch. */
  startMs: number;
}

export async function seedAtRate(knex: Knex, options: SeedOptions): Promise<SeedResult> {
  const stepMs = 1000 / options.rate;
  const spanMs = options.events * stepMs;
  const start = Date.now() - spanMs;
  // event_id as IdGenerator lays it out (ms since EPOCH_MS above 22 bits of node and sequence), node 0:
  // the bench's writers use node 1, so their ids never collide with these.
  await knex.raw(
    `INSERT INTO events (event_id, app_id, topic_id, status, source, payload, payload_size, created_at, recorded_at, updated_at)
     SELECT ((floor(?::float8 + i * ?::float8)::bigint - ?::bigint) << 22) | (i % 4096),
            'app-' || (i % 10), 'topic-' || ((i / 10) % 5),
            CASE WHEN i % 100 < 3 THEN 'filtered' WHEN i % 100 = 3 THEN 'no_subscribers' ELSE 'routed' END,
            'report', decode(repeat('7b2261223a317d', 32), 'hex'), 224,
            t, t, t
     FROM generate_series(0, ?::int - 1) AS i,
          LATERAL (SELECT to_timestamp((?::float8 + i * ?::float8) / 1000.0) AS t) AS c`,
    [start, stepMs, EPOCH_MS, options.events, start, stepMs],
  );
  await knex.raw(
    `INSERT INTO deliveries (event_id, dispatcher_id, app_id, topic_id, status, attempt_count, created_at, updated_at, finished_at)
     SELECT e.event_id, (ARRAY[${DISPATCHERS.map((d) => `'${d}'`).join(', ')}])[1 + ((e.n + k) % 4)], e.app_id, e.topic_id,
            CASE WHEN (e.n * 7 + k * 13) % 100 < 90 THEN 'succeeded' WHEN (e.n * 7 + k * 13) % 100 < 95 THEN 'failed' ELSE 'dead' END,
            1, e.created_at + interval '10 ms', e.created_at + interval '120 ms', e.created_at + interval '120 ms'
     FROM (SELECT event_id, app_id, topic_id, created_at, row_number() OVER (ORDER BY event_id) AS n FROM events WHERE status = 'routed') AS e
     CROSS JOIN generate_series(0, 1) AS k
     ORDER BY e.event_id, k`,
  );
  await knex.raw(
    `INSERT INTO delivery_attempts (delivery_id, event_id, dispatcher_id, attempt_no, started_at, finished_at, latency_ms, outcome, response_status)
     SELECT id, event_id, dispatcher_id, 1, created_at + interval '20 ms', created_at + interval '20 ms' + (5 + id % 40) * interval '1 ms',
            5 + id % 40, CASE status WHEN 'succeeded' THEN 'success' ELSE 'failure' END, CASE status WHEN 'succeeded' THEN 200 ELSE 503 END
     FROM deliveries ORDER BY id`,
  );
  // A live repeat chain or long delay on one event in a thousand: retention must keep those events.
  await knex.raw(
    `INSERT INTO schedules (id, kind, due_at, target_topic, value, event_id, dispatcher_id)
     SELECT 'bench-' || event_id, 'repeat', now() + interval '30 days', 'eventyard.ingest', '\\x00', event_id, 'billing'
     FROM events WHERE event_id % 1000 = 7`,
  );
  // Flushed first: counts a backend reports after VACUUM would be added to the ones VACUUM just set.
  await knex.raw('SELECT pg_stat_force_next_flush()');
  await knex.raw('VACUUM ANALYZE events, deliveries, delivery_attempts, schedules');
  const count = async (table: string) => Number(((await knex(table).count('* as n').first()) as { n: string } | undefined)?.n ?? 0);
  return {
    events: await count('events'),
    deliveries: await count('deliveries'),
    attempts: await count('delivery_attempts'),
    timers: await count('schedules'),
    spanMs,
    startMs: start,
  };
}
