// One processor's delivery attempts over a window cut into equal buckets: how many succeeded and failed,
// and the latency p50/p99, per bucket. The console draws its charts from it; a bucket with no attempt is
// returned with zeros, so a chart's x axis is the window itself and gaps show as gaps.
import type { Knex } from 'knex';

export interface TimelineBucket {
  /** Start of the bucket. */
  at: Date;
  success: number;
  /** Every other finished outcome (failure, timeout, cancel, ...). */
  failure: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

/** Buckets of `windowMs / buckets` ms ending now (the last one is the current, partial one). */
export async function attemptTimeline(knex: Knex, options: { dispatcherId: string; windowMs: number; buckets: number }): Promise<TimelineBucket[]> {
  const bucketMs = Math.ceil(options.windowMs / options.buckets);
  // Aligned on the bucket size, so two reads a few seconds apart agree on the past buckets.
  const end = Math.ceil(Date.now() / bucketMs) * bucketMs;
  const start = end - bucketMs * options.buckets;
  // One range scan of the covering (dispatcher_id, started_at) index (migration 0005).
  const rows = (await knex('delivery_attempts')
    .select(
      knex.raw('floor((extract(epoch from started_at) * 1000 - ?) / ?)::int AS b', [start, bucketMs]),
      knex.raw(`count(*) FILTER (WHERE outcome = 'success') AS success`),
      knex.raw(`count(*) FILTER (WHERE outcome NOT IN ('success', 'in_flight')) AS failure`),
      knex.raw('percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p'),
    )
    .where('dispatcher_id', options.dispatcherId)
    .where('started_at', '>=', new Date(start))
    .groupBy('b')) as Array<{ b: number; success: string; failure: string; p: Array<number | null> | null }>;
  const byBucket = new Map(rows.map((row) => [Number(row.b), row]));
  return Array.from({ length: options.buckets }, (_, i) => {
    const row = byBucket.get(i);
    return {
      at: new Date(start + i * bucketMs),
      success: Number(row?.success ?? 0),
      failure: Number(row?.failure ?? 0),
      latency_p50_ms: row?.p?.[0] ?? null,
      latency_p99_ms: row?.p?.[1] ?? null,
    };
  });
}
