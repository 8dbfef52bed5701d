// Durable timers for the delay-scheduler: inserted idempotently by id, claimed in batches with
// FOR UPDATE SKIP LOCKED and a claim lease (so several schedulers share the work and a crashed one's
// claims come back after the lease), deleted only after their message was produced (a crash re-fires,
// never loses). Overdue timers are always claimable: nothing is ever skipped for being late.
import type { Knex } from 'knex';

export interface TimerInput {
  /** Deterministic id (e.g. `retry:<event_id>:<dispatcher_id>:<attempt>`): a duplicate insert is ignored. */
  id: string;
  kind: string;
  due_at: Date;
  target_topic: string;
  message_key: Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
  event_id?: string | null;
  dispatcher_id?: string | null;
}

export interface TimerRecord extends Required<TimerInput> {
  attempts: number;
  claimed_by: string | null;
  claimed_until: Date | null;
  created_at: Date;
}

/** Inserts timers, ignoring ids that exist already; returns how many were new. */
export async function insertTimers(knex: Knex, timers: readonly TimerInput[]): Promise<number> {
  if (timers.length === 0) return 0;
  const rows = timers.map((timer) => ({
    id: timer.id,
    kind: timer.kind,
    due_at: timer.due_at,
    target_topic: timer.target_topic,
    message_key: timer.message_key,
    value: timer.value,
    headers: JSON.stringify(timer.headers ?? {}),
    event_id: timer.event_id ?? null,
    dispatcher_id: timer.dispatcher_id ?? null,
  }));
  const inserted = (await knex('schedules').insert(rows).onConflict('id').ignore().returning('id')) as unknown[];
  return inserted.length;
}

export interface ClaimTimersOptions {
  /** Scheduler instance id. */
  owner: string;
  /** Claim timers due at or before this instant (now plus the in-memory horizon). */
  dueBefore: Date;
  limit: number;
  /** How long the claim holds; must outlast the horizon. After it, other schedulers may take the timer. */
  claimMs: number;
}

/** Claims up to `limit` due timers not claimed by a live scheduler, earliest first. */
export async function claimDueTimers(knex: Knex, options: ClaimTimersOptions): Promise<TimerRecord[]> {
  const result = await knex.raw<{ rows: TimerRecord[] }>(
    `UPDATE schedules
        SET claimed_by = ?, claimed_until = now() + make_interval(secs => ? / 1000.0), attempts = attempts + 1
      WHERE id IN (SELECT id FROM schedules
                    WHERE due_at <= ? AND (claimed_by IS NULL OR claimed_until < now())
                    ORDER BY due_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [options.owner, options.claimMs, options.dueBefore, options.limit],
  );
  return result.rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
}

/** Deletes fired timers still claimed by `owner`; returns how many. */
export async function completeTimers(knex: Knex, ids: readonly string[], owner: string): Promise<number> {
  if (ids.length === 0) return 0;
  return knex('schedules').whereIn('id', ids).andWhere({ claimed_by: owner }).delete();
}

/** Hands claimed timers back (on shutdown), so another scheduler fires them without waiting for the lease. */
export async function releaseTimers(knex: Knex, ids: readonly string[], owner: string): Promise<number> {
  if (ids.length === 0) return 0;
  return knex('schedules').whereIn('id', ids).andWhere({ claimed_by: owner }).update({ claimed_by: null, claimed_until: null });
}

/** Cancels an event's pending timers (a repeat chain, a delay), optionally for one processor only. */
export async function cancelTimersForEvent(knex: Knex, eventId: string, options: { dispatcherId?: string } = {}): Promise<number> {
  const query = knex('schedules').where({ event_id: eventId });
  if (options.dispatcherId !== undefined) query.andWhere({ dispatcher_id: options.dispatcherId });
  return query.delete();
}

/** The next due time of an event's timers, or null (shown by GET /v1/events/:id). */
export async function nextDueForEvent(knex: Knex, eventId: string): Promise<Date | null> {
  const row = (await knex('schedules').where({ event_id: eventId }).min('due_at as next').first()) as { next: Date | null } | undefined;
  return row?.next ?? null;
}

/** How many timers are pending (for metrics). */
export async function countTimers(knex: Knex): Promise<number> {
  const row = (await knex('schedules').count('* as count').first()) as { count: string } | undefined;
  return Number(row?.count ?? 0);
}

/** Kafka header the producer puts on its delayed records, stored in schedules.headers: counts timers per app. */
export const SCHEDULE_APP_ID_HEADER = 'ey-app-id';

/** Pending timers whose record carried `ey-app-id` = appId (expression index schedules_app_id). */
export async function countPendingTimersForApp(knex: Knex, appId: string): Promise<number> {
  const rows = await knex('schedules').whereRaw(`headers->>'${SCHEDULE_APP_ID_HEADER}' = ?`, [appId]).count<Array<{ count: string }>>('* as count');
  return Number(rows[0]?.count ?? 0);
}
