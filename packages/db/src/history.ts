// Delivery history: events as the router records them, their per-processor deliveries, and every
// attempt. Writes are idempotent (at-least-once consumers re-record after a crash); attempt numbers are
// allocated under the delivery's row lock, so concurrent recorders never reuse one.
import type { Knex } from 'knex';

export const DELIVERY_STATUSES = ['pending', 'scheduled', 'delivering', 'succeeded', 'failed', 'dead', 'filtered', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface EventInput {
  event_id: string;
  app_id: string;
  topic_id: string;
  /** EvHub EventTriggerType number. @default 1 */
  trigger_type?: number;
  trigger?: unknown;
  /** routed | filtered | no_subscribers | scheduled | cancelled | ... */
  status: string;
  /** report | commit | replay | broadcast. @default 'report' */
  source?: string;
  event_comm?: unknown;
  payload?: Buffer | null;
  ordering_key?: string | null;
  idempotency_key?: string | null;
  broadcast?: boolean;
  api_key_id?: string | null;
  next_due_at?: Date | null;
  /** When Report accepted the event. @default now */
  created_at?: Date;
}

export interface EventRecord extends Required<Omit<EventInput, 'created_at'>> {
  payload_size: number;
  payload_pruned_at: Date | null;
  created_at: Date;
  recorded_at: Date;
  updated_at: Date;
}

export interface DeliveryInput {
  event_id: string;
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  status: DeliveryStatus;
  next_attempt_at?: Date | null;
  repeat_times?: number;
}

export interface DeliveryRecord {
  id: string;
  event_id: string;
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  retry_times: number;
  repeat_times: number;
  next_attempt_at: Date | null;
  last_error_code: string | null;
  last_error: string | null;
  pass_back: Buffer | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface AttemptInput {
  event_id: string;
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  /** @default 'auto' */
  trigger?: 'auto' | 'manual';
  retry_times: number;
  repeat_times: number;
  started_at: Date;
  finished_at: Date | null;
  /** success | failure | cancel | timeout | in_flight (free text, shown as is). */
  outcome: string;
  error_code?: string | number | null;
  error_message?: string | null;
  response_status?: number | null;
  ret_code?: number | null;
  response_excerpt?: string | null;
  /** The delivery's status after this attempt. */
  delivery_status: DeliveryStatus;
  /** When the next attempt is due (retry scheduled), else null. */
  next_attempt_at?: Date | null;
  /** The consumer's pass_back to send with the next attempt. */
  pass_back?: Buffer | null;
}

export interface AttemptRecord {
  id: string;
  delivery_id: string;
  event_id: string;
  dispatcher_id: string;
  attempt_no: number;
  trigger: 'auto' | 'manual';
  retry_times: number;
  repeat_times: number;
  started_at: Date;
  finished_at: Date | null;
  latency_ms: number | null;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  response_status: number | null;
  ret_code: number | null;
  response_excerpt: string | null;
}

const FINAL_STATUSES: readonly DeliveryStatus[] = ['succeeded', 'dead', 'filtered', 'cancelled'];

/** Records events in one statement; re-recording an event updates its status and next due time only. */
export async function recordEvents(knex: Knex, events: readonly EventInput[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    event_id: e.event_id,
    app_id: e.app_id,
    topic_id: e.topic_id,
    trigger_type: e.trigger_type ?? 1,
    trigger: e.trigger === undefined ? null : JSON.stringify(e.trigger),
    status: e.status,
    source: e.source ?? 'report',
    event_comm: e.event_comm === undefined ? null : JSON.stringify(e.event_comm),
    payload: e.payload ?? null,
    payload_size: e.payload?.length ?? 0,
    ordering_key: e.ordering_key ?? null,
    idempotency_key: e.idempotency_key ?? null,
    broadcast: e.broadcast ?? false,
    api_key_id: e.api_key_id ?? null,
    next_due_at: e.next_due_at ?? null,
    created_at: e.created_at ?? knex.fn.now(),
  }));
  await knex('events')
    .insert(rows)
    .onConflict('event_id')
    .merge({ status: knex.raw('EXCLUDED.status'), next_due_at: knex.raw('EXCLUDED.next_due_at'), updated_at: knex.fn.now() });
}

/** Creates delivery rows; rows that exist already (a re-consumed batch, or the dispatcher was first) are kept. */
export async function recordDeliveries(knex: Knex, deliveries: readonly DeliveryInput[]): Promise<void> {
  if (deliveries.length === 0) return;
  // Inserted in the same (event_id, dispatcher_id) order recordAttempts locks them in, so the router's
  // batch and a dispatcher's batch touching the same new rows wait for each other instead of deadlocking.
  const rows = [...deliveries].sort(compareDeliveries).map((d) => ({
    event_id: d.event_id,
    dispatcher_id: d.dispatcher_id,
    app_id: d.app_id,
    topic_id: d.topic_id,
    status: d.status,
    next_attempt_at: d.next_attempt_at ?? null,
    repeat_times: d.repeat_times ?? 0,
    finished_at: FINAL_STATUSES.includes(d.status) ? knex.fn.now() : null,
  }));
  await knex('deliveries').insert(rows).onConflict(['event_id', 'dispatcher_id']).ignore();
}

/** Sets a delivery's status (e.g. `delivering`, `scheduled`, `cancelled`), creating the row if needed. */
export async function setDeliveryStatus(knex: Knex, delivery: DeliveryInput): Promise<DeliveryRecord> {
  const finished = FINAL_STATUSES.includes(delivery.status);
  const [row] = (await knex('deliveries')
    .insert({
      event_id: delivery.event_id,
      dispatcher_id: delivery.dispatcher_id,
      app_id: delivery.app_id,
      topic_id: delivery.topic_id,
      status: delivery.status,
      next_attempt_at: delivery.next_attempt_at ?? null,
      repeat_times: delivery.repeat_times ?? 0,
      finished_at: finished ? knex.fn.now() : null,
    })
    .onConflict(['event_id', 'dispatcher_id'])
    .merge({
      status: delivery.status,
      next_attempt_at: delivery.next_attempt_at ?? null,
      ...(delivery.repeat_times === undefined ? {} : { repeat_times: delivery.repeat_times }),
      updated_at: knex.fn.now(),
      finished_at: finished ? knex.fn.now() : null,
    })
    .returning('*')) as DeliveryRecord[];
  if (row === undefined) throw new Error('delivery upsert returned no row');
  return row;
}

/**
 * Records one attempt and the delivery's resulting state in one transaction; the attempt gets the next
 * attempt_no of its delivery. Creates the delivery when the router's row is not there yet.
 */
export async function recordAttempt(knex: Knex, attempt: AttemptInput): Promise<{ delivery: DeliveryRecord; attempt: AttemptRecord }> {
  const [recorded] = await recordAttempts(knex, [attempt]);
  if (recorded === undefined) throw new Error('attempt insert returned no row');
  return recorded;
}

// Rows per statement: 16 attempt columns stay well under Postgres's 65535 bind parameters.
const ATTEMPT_CHUNK = 1000;

/**
 * Records many attempts in one transaction (two statements per chunk, not two per attempt): each
 * delivery's row is upserted once with its attempt_count raised by its number of attempts, under the
 * row lock, and its attempts take the numbers just below the new count in input order, so concurrent
 * recorders (batches or single attempts) never reuse a number. With several attempts of one delivery the
 * last in input order sets its state. Results come back in input order, each with its delivery as it
 * stands after the whole batch. Deliveries are locked in (event_id, dispatcher_id) order, so two
 * batches over the same deliveries wait for each other instead of deadlocking.
 */
export async function recordAttempts(knex: Knex, attempts: readonly AttemptInput[]): Promise<Array<{ delivery: DeliveryRecord; attempt: AttemptRecord }>> {
  if (attempts.length === 0) return [];
  return knex.transaction(async (trx) => {
    const results: Array<{ delivery: DeliveryRecord; attempt: AttemptRecord }> = [];
    for (let start = 0; start < attempts.length; start += ATTEMPT_CHUNK) {
      results.push(...(await recordAttemptChunk(trx, attempts.slice(start, start + ATTEMPT_CHUNK))));
    }
    return results;
  });
}

const deliveryKey = (eventId: string, dispatcherId: string): string => `${BigInt(eventId)}\u0000${dispatcherId}`;
const errorCodeOf = (attempt: AttemptInput): string | null => (attempt.error_code === undefined || attempt.error_code === null ? null : String(attempt.error_code));

async function recordAttemptChunk(trx: Knex.Transaction, attempts: readonly AttemptInput[]): Promise<Array<{ delivery: DeliveryRecord; attempt: AttemptRecord }>> {
  // Per delivery: how many attempts, and the last one (whose outcome is the delivery's state).
  const groups = new Map<string, { last: AttemptInput; count: number }>();
  const ordinals = attempts.map((attempt) => {
    const key = deliveryKey(attempt.event_id, attempt.dispatcher_id);
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { last: attempt, count: 1 });
      return 1;
    }
    group.last = attempt;
    return ++group.count;
  });
  const deliveryRows = [...groups.values()]
    .sort((a, b) => compareDeliveries(a.last, b.last))
    .map(({ last, count }) => ({
      event_id: last.event_id,
      dispatcher_id: last.dispatcher_id,
      app_id: last.app_id,
      topic_id: last.topic_id,
      status: last.delivery_status,
      attempt_count: count,
      retry_times: last.retry_times,
      repeat_times: last.repeat_times,
      next_attempt_at: last.next_attempt_at ?? null,
      last_error_code: errorCodeOf(last),
      last_error: last.error_message ?? null,
      pass_back: last.pass_back ?? null,
      finished_at: FINAL_STATUSES.includes(last.delivery_status) ? trx.fn.now() : null,
    }));
  const excluded = (column: string) => trx.raw('EXCLUDED.??', [column]);
  const deliveries = (await trx('deliveries')
    .insert(deliveryRows)
    .onConflict(['event_id', 'dispatcher_id'])
    .merge({
      status: excluded('status'),
      attempt_count: trx.raw('deliveries.attempt_count + EXCLUDED.attempt_count'),
      retry_times: excluded('retry_times'),
      repeat_times: excluded('repeat_times'),
      next_attempt_at: excluded('next_attempt_at'),
      last_error_code: excluded('last_error_code'),
      last_error: excluded('last_error'),
      pass_back: excluded('pass_back'),
      updated_at: trx.fn.now(),
      finished_at: excluded('finished_at'),
    })
    .returning('*')) as DeliveryRecord[];
  const byKey = new Map(deliveries.map((d) => [deliveryKey(String(d.event_id), d.dispatcher_id), d]));
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  const attemptRows = attempts.map((attempt, i) => {
    const key = deliveryKey(attempt.event_id, attempt.dispatcher_id);
    const delivery = byKey.get(key);
    const group = groups.get(key);
    if (delivery === undefined || group === undefined) throw new Error('delivery upsert returned no row');
    const latency = attempt.finished_at === null ? null : Math.max(0, Math.round(attempt.finished_at.getTime() - attempt.started_at.getTime()));
    return {
      delivery_id: delivery.id,
      event_id: attempt.event_id,
      dispatcher_id: attempt.dispatcher_id,
      // This batch's attempts of the delivery take the numbers just below its new count.
      attempt_no: delivery.attempt_count - group.count + (ordinals[i] ?? 1),
      trigger: attempt.trigger ?? 'auto',
      retry_times: attempt.retry_times,
      repeat_times: attempt.repeat_times,
      started_at: attempt.started_at,
      finished_at: attempt.finished_at,
      latency_ms: latency,
      outcome: attempt.outcome,
      error_code: errorCodeOf(attempt),
      error_message: attempt.error_message ?? null,
      response_status: attempt.response_status ?? null,
      ret_code: attempt.ret_code ?? null,
      response_excerpt: attempt.response_excerpt ?? null,
    };
  });
  const inserted = (await trx('delivery_attempts').insert(attemptRows).returning('*')) as AttemptRecord[];
  // RETURNING order is not promised: match rows back by their unique (delivery_id, attempt_no).
  const insertedBy = new Map(inserted.map((row) => [`${row.delivery_id}:${row.attempt_no}`, row]));
  return attemptRows.map((row) => {
    const attempt = insertedBy.get(`${row.delivery_id}:${row.attempt_no}`);
    const delivery = byId.get(row.delivery_id);
    if (attempt === undefined || delivery === undefined) throw new Error('attempt insert returned no row');
    return { delivery, attempt };
  });
}

/** The one lock order for delivery rows, used by every multi-row writer so concurrent writers never deadlock. */
function compareDeliveries(a: { event_id: string; dispatcher_id: string }, b: { event_id: string; dispatcher_id: string }): number {
  const byEvent = BigInt(a.event_id) - BigInt(b.event_id);
  if (byEvent !== 0n) return byEvent < 0n ? -1 : 1;
  return a.dispatcher_id < b.dispatcher_id ? -1 : a.dispatcher_id > b.dispatcher_id ? 1 : 0;
}

export interface EventHistory {
  event: EventRecord;
  deliveries: Array<DeliveryRecord & { attempts: AttemptRecord[] }>;
}

/** An event with each processor's delivery and every attempt (GET /v1/events/:event_id). */
export async function getEventHistory(knex: Knex, eventId: string): Promise<EventHistory | undefined> {
  const event = (await knex('events').where({ event_id: eventId }).first()) as EventRecord | undefined;
  if (event === undefined) return undefined;
  const deliveries = (await knex('deliveries').where({ event_id: eventId }).orderBy('dispatcher_id')) as DeliveryRecord[];
  const attempts = (await knex('delivery_attempts').where({ event_id: eventId }).orderBy(['delivery_id', 'attempt_no'])) as AttemptRecord[];
  return {
    event,
    deliveries: deliveries.map((delivery) => ({ ...delivery, attempts: attempts.filter((a) => a.delivery_id === delivery.id) })),
  };
}

// Lists and stats over this history (admin GET /v1/events, /v1/deliveries, processor stats) are in history-queries.ts.
