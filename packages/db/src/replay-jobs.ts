// Replay jobs (bulk replay by query, dead-letter redrive): creating one with its matched set fixed,
// claiming one under a lease (FOR UPDATE SKIP LOCKED, so two admin instances never run the same job),
// reading the next batch of matching events in event_id order, storing cursor and counts after each
// batch, finishing and cancelling. Also the delivery-row write a replay makes: back to `pending`.
import type { Knex } from 'knex';
import type { DeliveryStatus, EventRecord } from './history.ts';

/** Which events a replay job covers; every field narrows the set (AND). Times are ISO 8601 strings. */
export interface ReplayQuery {
  app_id?: string;
  topic_id?: string;
  /** Events with a delivery row for this processor (with delivery_status: in one of those statuses). */
  dispatcher_id?: string;
  /** events.status (routed, filtered, no_subscribers, ...). */
  status?: string;
  /** Events with a delivery (of dispatcher_id, when given) in one of these statuses. */
  delivery_status?: readonly DeliveryStatus[];
  /** events.created_at >= since */
  since?: string;
  /** events.created_at < until */
  until?: string;
  event_ids?: readonly string[];
}

export const REPLAY_JOB_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type ReplayJobStatus = (typeof REPLAY_JOB_STATUSES)[number];

export interface ReplayJobRecord {
  replay_id: string;
  kind: 'query' | 'redrive';
  query: ReplayQuery;
  original_targets: boolean;
  rate_per_s: number;
  /** Largest event_id of the matched set; null when nothing matched. */
  max_event_id: string | null;
  status: ReplayJobStatus;
  matched: number;
  replayed: number;
  skipped: number;
  failed: number;
  /** Last event_id done; null before the first batch. */
  cursor: string | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface CreateReplayJobInput {
  kind: 'query' | 'redrive';
  query: ReplayQuery;
  original_targets?: boolean;
  rate_per_s: number;
  /** At most this many events (the first ones in event_id order). */
  limit: number;
}

/** Adds the query's conditions to a select over `events`. */
function whereMatches(knex: Knex, q: Knex.QueryBuilder, query: ReplayQuery): Knex.QueryBuilder {
  if (query.app_id !== undefined) q.where('events.app_id', query.app_id);
  if (query.topic_id !== undefined) q.where('events.topic_id', query.topic_id);
  if (query.status !== undefined) q.where('events.status', query.status);
  if (query.since !== undefined) q.where('events.created_at', '>=', new Date(query.since));
  if (query.until !== undefined) q.where('events.created_at', '<', new Date(query.until));
  if (query.event_ids !== undefined) q.whereIn('events.event_id', [...query.event_ids]);
  if (query.dispatcher_id !== undefined || query.delivery_status !== undefined) {
    q.whereExists(function deliveryMatches(this: Knex.QueryBuilder) {
      this.select(knex.raw('1')).from('deliveries').whereRaw('deliveries.event_id = events.event_id');
      if (query.dispatcher_id !== undefined) this.where('deliveries.dispatcher_id', query.dispatcher_id);
      if (query.delivery_status !== undefined) this.whereIn('deliveries.status', [...query.delivery_status]);
    });
  }
  return q;
}

/** How many events match (capped at `limit`) and the largest event_id among those. */
export async function countReplayMatches(knex: Knex, query: ReplayQuery, limit: number): Promise<{ matched: number; maxEventId: string | null }> {
  const ids = whereMatches(knex, knex('events').select('events.event_id'), query).orderBy('events.event_id').limit(limit);
  const row = (await knex.from(ids.as('matched')).first(knex.raw('count(*)::bigint AS matched'), knex.raw('max(event_id)::text AS max_event_id'))) as
    { matched: string; max_event_id: string | null } | undefined;
  return { matched: Number(row?.matched ?? 0), maxEventId: row?.max_event_id ?? null };
}

/**
 * Creates a job over the events matching now (up to `limit`): events reported later never join it.
 * A job that matched nothing is created already `succeeded`.
 */
export async function createReplayJob(knex: Knex, input: CreateReplayJobInput): Promise<ReplayJobRecord> {
  const { matched, maxEventId } = await countReplayMatches(knex, input.query, input.limit);
  const [row] = (await knex('replay_jobs')
    .insert({
      kind: input.kind,
      query: JSON.stringify(input.query),
      original_targets: input.original_targets ?? false,
      rate_per_s: input.rate_per_s,
      max_event_id: maxEventId,
      status: matched === 0 ? 'succeeded' : 'running',
      matched,
      finished_at: matched === 0 ? knex.fn.now() : null,
    })
    .returning('*')) as Record<string, unknown>[];
  if (row === undefined) throw new Error('replay job insert returned no row');
  return fromRow(row);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed replay id (a UUID); anything else can never name a job. */
export function isReplayId(value: string): boolean {
  return UUID.test(value);
}

export async function getReplayJob(knex: Knex, replayId: string): Promise<ReplayJobRecord | undefined> {
  if (!isReplayId(replayId)) return undefined;
  const row = (await knex('replay_jobs').where({ replay_id: replayId }).first()) as Record<string, unknown> | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** Cancels a running job (the runner stops after its current batch); a finished job is returned as it is. */
export async function cancelReplayJob(knex: Knex, replayId: string): Promise<ReplayJobRecord | undefined> {
  if (!isReplayId(replayId)) return undefined;
  const [row] = (await knex('replay_jobs')
    .where({ replay_id: replayId, status: 'running' })
    .update({ status: 'cancelled', finished_at: knex.fn.now(), updated_at: knex.fn.now() })
    .returning('*')) as Record<string, unknown>[];
  return row === undefined ? getReplayJob(knex, replayId) : fromRow(row);
}

export interface LeaseOptions {
  /** Who runs the job (host/pid), for operators reading the table. */
  owner: string;
  leaseMs: number;
}

/**
 * Claims the oldest running job nobody holds (or whose holder's lease expired), in one statement:
 * SKIP LOCKED lets concurrent claimers take different jobs instead of waiting for each other.
 */
export async function claimReplayJob(knex: Knex, options: LeaseOptions): Promise<ReplayJobRecord | undefined> {
  const result = await knex.raw<{ rows: Record<string, unknown>[] }>(
    `UPDATE replay_jobs
        SET lease_owner = ?, lease_expires_at = now() + make_interval(secs => ? / 1000.0), updated_at = now()
      WHERE replay_id = (SELECT replay_id FROM replay_jobs
                          WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())
                          ORDER BY created_at
                          LIMIT 1
                          FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [options.owner, options.leaseMs],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : fromRow(row);
}

/** The next events of the job after its cursor, in event_id order, full rows (payload included). */
export async function nextReplayBatch(knex: Knex, job: Pick<ReplayJobRecord, 'query' | 'cursor' | 'max_event_id'>, size: number): Promise<EventRecord[]> {
  if (job.max_event_id === null) return [];
  const q = whereMatches(knex, knex('events').select('events.*'), job.query).where('events.event_id', '<=', job.max_event_id);
  if (job.cursor !== null) q.where('events.event_id', '>', job.cursor);
  const rows = (await q.orderBy('events.event_id').limit(size)) as EventRecord[];
  return rows.map((row) => ({ ...row, event_id: String(row.event_id) }));
}

export interface ReplayProgress extends LeaseOptions {
  replay_id: string;
  cursor: string;
  replayed: number;
  skipped: number;
  failed: number;
}

/**
 * Stores the cursor and adds the batch's counts, renewing the lease. Returns the job's status after the
 * write ('cancelled' when an operator cancelled it meanwhile), or undefined when this owner lost the lease.
 */
export async function recordReplayProgress(knex: Knex, progress: ReplayProgress): Promise<ReplayJobStatus | undefined> {
  const [row] = (await knex('replay_jobs')
    .where({ replay_id: progress.replay_id, lease_owner: progress.owner })
    .update({
      cursor: progress.cursor,
      replayed: knex.raw('replayed + ?', [progress.replayed]),
      skipped: knex.raw('skipped + ?', [progress.skipped]),
      failed: knex.raw('failed + ?', [progress.failed]),
      lease_expires_at: knex.raw('now() + make_interval(secs => ? / 1000.0)', [progress.leaseMs]),
      updated_at: knex.fn.now(),
    })
    .returning('status')) as Array<{ status: ReplayJobStatus }>;
  return row?.status;
}

/** Renews the lease without progress (a long wait for the rate limit); false when it was lost. */
export async function renewReplayLease(knex: Knex, replayId: string, options: LeaseOptions): Promise<ReplayJobStatus | undefined> {
  const [row] = (await knex('replay_jobs')
    .where({ replay_id: replayId, lease_owner: options.owner })
    .update({ lease_expires_at: knex.raw('now() + make_interval(secs => ? / 1000.0)', [options.leaseMs]) })
    .returning('status')) as Array<{ status: ReplayJobStatus }>;
  return row?.status;
}

/** Ends a running job held by `owner` (succeeded, or failed with `error`) and frees its lease. */
export async function finishReplayJob(
  knex: Knex,
  finish: { replay_id: string; owner: string; status: 'succeeded' | 'failed'; error?: string },
): Promise<boolean> {
  const updated = await knex('replay_jobs')
    .where({ replay_id: finish.replay_id, lease_owner: finish.owner, status: 'running' })
    .update({
      status: finish.status,
      error: finish.error ?? null,
      finished_at: knex.fn.now(),
      updated_at: knex.fn.now(),
      lease_owner: null,
      lease_expires_at: null,
    });
  return updated > 0;
}

/** Frees the lease at once (a runner shutting down), so another instance can resume the job without waiting for expiry. */
export async function releaseReplayJob(knex: Knex, replayId: string, owner: string): Promise<void> {
  await knex('replay_jobs').where({ replay_id: replayId, lease_owner: owner }).update({ lease_owner: null, lease_expires_at: null, updated_at: knex.fn.now() });
}

/** The database clock now, for markDeliveriesPending's `unchangedSince`. */
export async function databaseNow(knex: Knex): Promise<Date> {
  const result = await knex.raw<{ rows: Array<{ now: Date }> }>('SELECT clock_timestamp() AS now');
  const now = result.rows[0]?.now;
  if (now === undefined) throw new Error('clock_timestamp() returned no row');
  return now;
}

export interface PendingDelivery {
  event_id: string;
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  repeat_times: number;
}

/**
 * Sets replayed deliveries back to `pending` (creating missing rows), but only rows not written since
 * `unchangedSince`: the replay's task is produced first, and a dispatcher that already recorded its
 * attempt must not have its outcome overwritten by a late `pending`.
 */
export async function markDeliveriesPending(knex: Knex, deliveries: readonly PendingDelivery[], unchangedSince: Date): Promise<void> {
  if (deliveries.length === 0) return;
  // The (event_id, dispatcher_id) lock order every multi-row delivery writer uses (see history.ts).
  const rows = [...deliveries]
    .sort((a, b) => {
      const byEvent = BigInt(a.event_id) - BigInt(b.event_id);
      if (byEvent !== 0n) return byEvent < 0n ? -1 : 1;
      return a.dispatcher_id < b.dispatcher_id ? -1 : a.dispatcher_id > b.dispatcher_id ? 1 : 0;
    })
    .map((d) => ({ ...d, status: 'pending', next_attempt_at: null, finished_at: null }));
  await knex('deliveries')
    .insert(rows)
    .onConflict(['event_id', 'dispatcher_id'])
    .merge({ status: 'pending', next_attempt_at: null, finished_at: null, updated_at: knex.fn.now() })
    .where('deliveries.updated_at', '<=', unchangedSince);
}

function fromRow(row: Record<string, unknown>): ReplayJobRecord {
  const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
  return {
    ...(row as unknown as ReplayJobRecord),
    max_event_id: str(row.max_event_id),
    cursor: str(row.cursor),
    matched: Number(row.matched),
    replayed: Number(row.replayed),
    skipped: Number(row.skipped),
    failed: Number(row.failed),
  };
}

/**
 * The newest jobs first (the console's replay list). Operators create jobs by hand, so the table stays
 * small and a sort of it needs no index of its own.
 */
export async function listReplayJobs(knex: Knex, options: { limit: number; status?: ReplayJobStatus }): Promise<ReplayJobRecord[]> {
  const q = knex('replay_jobs')
    .select('*')
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'replay_id', order: 'desc' },
    ])
    .limit(options.limit);
  if (options.status !== undefined) q.where('status', options.status);
  return ((await q) as Record<string, unknown>[]).map(fromRow);
}
