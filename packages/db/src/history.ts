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
  /** routed | filtered | no_subscribers | scheduled | cancelled | rejected | ... */
  status: string;
  /** Why the event has its status; set for `rejected` (what a stage refused). */
  status_reason?: string | null;
  /** report | commit | replay | broadcast. @default 'report' */
  source?: string;
  event_comm?: unknown;
  payload?: Buffer | null;
  ordering_key?: string | null;
  idempotency_key?: string | null;
  broadcast?: boolean;
  api_key_id?: string | null;
  /** W3C trace id (32 hex digits) of the event's trace; kept from the first recording. */
  trace_id?: string | null;
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

// The hot writers (the router's rounds, the dispatcher's attempt batches) are single statements over
// `unnest` of one array per column: the SQL text is the same for any number of rows (no bind-parameter
// limit, no per-row query building), and a statement is atomic without BEGIN/COMMIT round trips.
// Measured with bench/e2e (CPU per event of the router and the dispatcher, and of Postgres).

interface Unnest {
  /** `unnest(?::bigint[], …) AS alias(col, …)` for these columns, made when asked. */
  from: () => string;
  params: unknown[];
}

/** Column name → [SQL array type, values], as knex raw `?` bindings (one array per column). */
function unnest(alias: string, columns: Record<string, [string, unknown[]]>): Unnest {
  const names = Object.keys(columns);
  const from = (): string => `unnest(${names.map((name) => `?::${columns[name]?.[0] ?? 'text'}[]`).join(', ')}) AS ${alias}(${names.join(', ')})`;
  return { from, params: names.map((name) => columns[name]?.[1] ?? []) };
}

// Each writer's SQL text depends on its fixed column list only, so it is made once, on first use: built
// for every round or attempt batch, the 2 KB text (and hashing it for the placeholder cache) cost more
// than the batch's parameters.
const hotTexts: { events?: string; deliveries?: string; round?: string; attempts?: string } = {};

// The same hot statements also run as named prepared statements (pg's query config `name`): Postgres
// parses and plans each once per connection instead of on every round or attempt batch, and pg sends
// Bind/Execute only (bench/micro/hot-writes.ts measures both sides). Each name belongs to one fixed SQL
// text (pg refuses a name reused for another text); none of them has a RETURNING list, so a migration
// that changes a table's columns cannot break a cached plan's result type. Behind PgBouncer in
// transaction mode this needs PgBouncer ≥ 1.21 with `max_prepared_statements` set (protocol-level
// prepared statements), as any pg client's named statements do.
const HotStatement = {
  events: 'ey_record_events',
  deliveries: 'ey_record_deliveries',
  round: 'ey_record_round',
  attempts: 'ey_write_attempts',
} as const;

// They run on a connection of knex's pool but through pg itself: knex's query path (its runner, binding
// rewrite and response processing) cost 35-50 µs of client CPU per statement on top of pg's 85-150
// (bench/micro/knex-path.ts), for nothing these statements use. A transaction's statements go through
// knex (its connection is the transaction's). knex's `query` event still fires for listeners.
async function runHot(knex: Knex, name: (typeof HotStatement)[keyof typeof HotStatement], sql: string, params: unknown[]): Promise<void> {
  if (knex.isTransaction === true) {
    await knex.raw(sql, params as Knex.RawBinding[]).options({ name });
    return;
  }
  const text = numberedPlaceholders(sql, params.length);
  const client = knex.client as KnexClient;
  if (knex.listenerCount('query') > 0) client.emit('query', { method: 'raw', sql: text, bindings: params, options: { name } });
  const connection = await client.acquireConnection();
  try {
    // pg's callback form, as knex calls it: with its promise form the router's scavenges took twice as long
    // in total (its router CPU per event was 1.2x in bench:e2e, the callback form's 0.95x).
    await new Promise<void>((resolve, reject) => {
      connection.query({ name, text, values: params }, (err) => (err === null || err === undefined ? resolve() : reject(err)));
    });
  } finally {
    await client.releaseConnection(connection);
  }
}

/** What runHot uses of knex's client (typed `any` by knex): its pool, and its `query` event (knex re-emits it). */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: 'query', query: { method: 'raw'; sql: string; bindings: unknown[]; options: { name: string } }): boolean;
}

/** What runHot needs of a pool connection (a pg Client). */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }, callback: (err: Error | null | undefined) => void): void;
}

/** Per hot SQL text (knex `?` placeholders), the same with pg's `$1…$n`: made once, the texts are fixed. */
const numberedTexts = new Map<string, string>();

function numberedPlaceholders(sql: string, count: number): string {
  let text = numberedTexts.get(sql);
  if (text === undefined) {
    let n = 0;
    // The hot statements have no `?` but their placeholders (no jsonb `?` operators, no string literals with one).
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (n !== count) throw new Error(`hot statement has ${n} placeholders for ${count} values`);
    numberedTexts.set(sql, text);
  }
  return text;
}

const jsonText = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

function eventsInsert(events: readonly EventInput[]): { sql: string; params: unknown[] } {
  const u = unnest('e', {
    event_id: ['bigint', events.map((e) => e.event_id)],
    app_id: ['text', events.map((e) => e.app_id)],
    topic_id: ['text', events.map((e) => e.topic_id)],
    trigger_type: ['smallint', events.map((e) => e.trigger_type ?? 1)],
    trigger: ['text', events.map((e) => jsonText(e.trigger))],
    status: ['text', events.map((e) => e.status)],
    status_reason: ['text', events.map((e) => e.status_reason ?? null)],
    source: ['text', events.map((e) => e.source ?? 'report')],
    event_comm: ['text', events.map((e) => jsonText(e.event_comm))],
    payload: ['bytea', events.map((e) => e.payload ?? null)],
    payload_size: ['integer', events.map((e) => e.payload?.length ?? 0)],
    ordering_key: ['text', events.map((e) => e.ordering_key ?? null)],
    idempotency_key: ['text', events.map((e) => e.idempotency_key ?? null)],
    broadcast: ['boolean', events.map((e) => e.broadcast ?? false)],
    api_key_id: ['text', events.map((e) => e.api_key_id ?? null)],
    trace_id: ['text', events.map((e) => e.trace_id ?? null)],
    next_due_at: ['timestamptz', events.map((e) => e.next_due_at ?? null)],
    created_at: ['timestamptz', events.map((e) => e.created_at ?? null)],
  });
  return {
    sql: (hotTexts.events ??= `INSERT INTO events (event_id, app_id, topic_id, trigger_type, trigger, status, status_reason, source, event_comm, payload, payload_size,
                             ordering_key, idempotency_key, broadcast, api_key_id, trace_id, next_due_at, created_at)
          SELECT event_id, app_id, topic_id, trigger_type, trigger::jsonb, status, status_reason, source, event_comm::jsonb, payload, payload_size,
                 ordering_key, idempotency_key, broadcast, api_key_id, trace_id, next_due_at, COALESCE(created_at, now())
          FROM ${u.from()}
          ON CONFLICT (event_id) DO UPDATE SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason,
                                               trace_id = COALESCE(events.trace_id, EXCLUDED.trace_id),
                                               next_due_at = EXCLUDED.next_due_at, updated_at = now()`),
    params: u.params,
  };
}

function deliveriesInsert(deliveries: readonly DeliveryInput[]): { sql: string; params: unknown[] } {
  // Inserted in the same (event_id, dispatcher_id) order recordAttempts locks them in, so the router's
  // batch and a dispatcher's batch touching the same new rows wait for each other instead of deadlocking.
  const rows = [...deliveries].sort(compareDeliveries);
  const u = unnest('d', {
    event_id: ['bigint', rows.map((d) => d.event_id)],
    dispatcher_id: ['text', rows.map((d) => d.dispatcher_id)],
    app_id: ['text', rows.map((d) => d.app_id)],
    topic_id: ['text', rows.map((d) => d.topic_id)],
    status: ['text', rows.map((d) => d.status)],
    next_attempt_at: ['timestamptz', rows.map((d) => d.next_attempt_at ?? null)],
    repeat_times: ['integer', rows.map((d) => d.repeat_times ?? 0)],
    final: ['boolean', rows.map((d) => FINAL_STATUSES.includes(d.status))],
  });
  return {
    sql: (hotTexts.deliveries ??= `INSERT INTO deliveries (event_id, dispatcher_id, app_id, topic_id, status, next_attempt_at, repeat_times, finished_at)
          SELECT event_id, dispatcher_id, app_id, topic_id, status, next_attempt_at, repeat_times, CASE WHEN final THEN now() END
          FROM ${u.from()}
          ON CONFLICT (event_id, dispatcher_id) DO NOTHING`),
    params: u.params,
  };
}

/** Records events in one statement; re-recording an event updates its status and next due time only. */
export async function recordEvents(knex: Knex, events: readonly EventInput[]): Promise<void> {
  if (events.length === 0) return;
  const { sql, params } = eventsInsert(events);
  await runHot(knex, HotStatement.events, sql, params);
}

/** Creates delivery rows; rows that exist already (a re-consumed batch, or the dispatcher was first) are kept. */
export async function recordDeliveries(knex: Knex, deliveries: readonly DeliveryInput[]): Promise<void> {
  if (deliveries.length === 0) return;
  const { sql, params } = deliveriesInsert(deliveries);
  await runHot(knex, HotStatement.deliveries, sql, params);
}

/**
 * recordEvents and recordDeliveries as one statement, so a reader never sees a routed event without
 * its deliveries and the write needs no transaction (the router's round). Events must be unique by id.
 */
export async function recordRound(knex: Knex, events: readonly EventInput[], deliveries: readonly DeliveryInput[]): Promise<void> {
  if (deliveries.length === 0) return recordEvents(knex, events);
  if (events.length === 0) return recordDeliveries(knex, deliveries);
  const e = eventsInsert(events);
  const d = deliveriesInsert(deliveries);
  const sql = (hotTexts.round ??= `WITH recorded_events AS (${e.sql} RETURNING 1) ${d.sql}`);
  await runHot(knex, HotStatement.round, sql, [...e.params, ...d.params]);
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

/**
 * Records many attempts in one statement: each delivery's row is upserted once with its attempt_count
 * raised by its number of attempts, under the row lock, and its attempts take the numbers just below
 * the new count in input order, so concurrent recorders (batches or single attempts) never reuse a
 * number. With several attempts of one delivery the last in input order sets its state. Results come
 * back in input order, each with its delivery as it stands after the whole batch. Deliveries are
 * locked in (event_id, dispatcher_id) order, so two batches over the same deliveries wait for each
 * other instead of deadlocking.
 */
export async function recordAttempts(knex: Knex, attempts: readonly AttemptInput[]): Promise<Array<{ delivery: DeliveryRecord; attempt: AttemptRecord }>> {
  if (attempts.length === 0) return [];
  return knex.transaction(async (trx) => {
    const { sql, params, numbers } = attemptsInsert(attempts);
    const inserted = ((await trx.raw(`${sql} RETURNING *`, params as Knex.RawBinding[])) as { rows: AttemptRecord[] }).rows;
    const deliveryIds = [...new Set(inserted.map((row) => row.delivery_id))];
    const deliveries = (await trx('deliveries').whereIn('id', deliveryIds)) as DeliveryRecord[];
    // Read under the rows' locks, so each count is this batch's and its attempts sit just below it.
    const byKey = new Map(deliveries.map((d) => [deliveryKey(String(d.event_id), d.dispatcher_id), d]));
    // RETURNING order is not promised: match rows back by their unique (delivery_id, attempt_no).
    const insertedBy = new Map(inserted.map((row) => [`${row.delivery_id}:${row.attempt_no}`, row]));
    const { ordinals, counts } = numbers;
    return attempts.map((attempt, i) => {
      const key = deliveryKey(attempt.event_id, attempt.dispatcher_id);
      const delivery = byKey.get(key);
      const row = delivery === undefined ? undefined : insertedBy.get(`${delivery.id}:${delivery.attempt_count - (counts.get(key) ?? 1) + (ordinals[i] ?? 1)}`);
      if (delivery === undefined || row === undefined) throw new Error('attempt insert returned no row');
      return { delivery, attempt: row };
    });
  });
}

/**
 * recordAttempts without reading anything back: one statement, no transaction, nothing parsed. The
 * dispatcher's group commit (AttemptWriter) uses it, since all it needs is "committed".
 */
export async function writeAttempts(knex: Knex, attempts: readonly AttemptInput[]): Promise<void> {
  if (attempts.length === 0) return;
  const { sql, params } = attemptsInsert(attempts);
  await runHot(knex, HotStatement.attempts, sql, params);
}

const deliveryKey = (eventId: string, dispatcherId: string): string => `${BigInt(eventId)}\u0000${dispatcherId}`;
const errorCodeOf = (attempt: AttemptInput): string | null =>
  attempt.error_code === undefined || attempt.error_code === null ? null : String(attempt.error_code);

/** Per attempt its 1-based position among its delivery's attempts in this batch, and per delivery the count. */
function attemptNumbers(attempts: readonly AttemptInput[]): { ordinals: number[]; counts: Map<string, number>; last: Map<string, AttemptInput> } {
  const counts = new Map<string, number>();
  const last = new Map<string, AttemptInput>();
  const ordinals = attempts.map((attempt) => {
    const key = deliveryKey(attempt.event_id, attempt.dispatcher_id);
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    last.set(key, attempt);
    return count;
  });
  return { ordinals, counts, last };
}

/** The statement both attempt writers run: the deliveries upsert as a CTE, the attempts insert joined to it. */
function attemptsInsert(attempts: readonly AttemptInput[]): { sql: string; params: unknown[]; numbers: ReturnType<typeof attemptNumbers> } {
  const numbers = attemptNumbers(attempts);
  const { ordinals, counts, last } = numbers;
  // Per delivery the last attempt (whose outcome is the delivery's state) and the number of attempts.
  const groups = [...last.entries()]
    .map(([key, attempt]) => ({ attempt, count: counts.get(key) ?? 1 }))
    .sort((a, b) => compareDeliveries(a.attempt, b.attempt));
  const d = unnest('g', {
    event_id: ['bigint', groups.map((g) => g.attempt.event_id)],
    dispatcher_id: ['text', groups.map((g) => g.attempt.dispatcher_id)],
    app_id: ['text', groups.map((g) => g.attempt.app_id)],
    topic_id: ['text', groups.map((g) => g.attempt.topic_id)],
    status: ['text', groups.map((g) => g.attempt.delivery_status)],
    attempt_count: ['integer', groups.map((g) => g.count)],
    retry_times: ['integer', groups.map((g) => g.attempt.retry_times)],
    repeat_times: ['integer', groups.map((g) => g.attempt.repeat_times)],
    next_attempt_at: ['timestamptz', groups.map((g) => g.attempt.next_attempt_at ?? null)],
    last_error_code: ['text', groups.map((g) => errorCodeOf(g.attempt))],
    last_error: ['text', groups.map((g) => g.attempt.error_message ?? null)],
    pass_back: ['bytea', groups.map((g) => g.attempt.pass_back ?? null)],
    final: ['boolean', groups.map((g) => FINAL_STATUSES.includes(g.attempt.delivery_status))],
  });
  const a = unnest('a', {
    event_id: ['bigint', attempts.map((x) => x.event_id)],
    dispatcher_id: ['text', attempts.map((x) => x.dispatcher_id)],
    ordinal: ['integer', ordinals],
    batch_count: ['integer', attempts.map((x) => counts.get(deliveryKey(x.event_id, x.dispatcher_id)) ?? 1)],
    trigger: ['text', attempts.map((x) => x.trigger ?? 'auto')],
    retry_times: ['integer', attempts.map((x) => x.retry_times)],
    repeat_times: ['integer', attempts.map((x) => x.repeat_times)],
    started_at: ['timestamptz', attempts.map((x) => x.started_at)],
    finished_at: ['timestamptz', attempts.map((x) => x.finished_at)],
    latency_ms: ['integer', attempts.map((x) => (x.finished_at === null ? null : Math.max(0, Math.round(x.finished_at.getTime() - x.started_at.getTime()))))],
    outcome: ['text', attempts.map((x) => x.outcome)],
    error_code: ['text', attempts.map(errorCodeOf)],
    error_message: ['text', attempts.map((x) => x.error_message ?? null)],
    response_status: ['integer', attempts.map((x) => x.response_status ?? null)],
    ret_code: ['integer', attempts.map((x) => x.ret_code ?? null)],
    response_excerpt: ['text', attempts.map((x) => x.response_excerpt ?? null)],
  });
  const sql = (hotTexts.attempts ??= `
    WITH upserted AS (
      INSERT INTO deliveries (event_id, dispatcher_id, app_id, topic_id, status, attempt_count, retry_times, repeat_times,
                              next_attempt_at, last_error_code, last_error, pass_back, finished_at)
      SELECT event_id, dispatcher_id, app_id, topic_id, status, attempt_count, retry_times, repeat_times,
             next_attempt_at, last_error_code, last_error, pass_back, CASE WHEN final THEN now() END
      FROM ${d.from()}
      ON CONFLICT (event_id, dispatcher_id) DO UPDATE SET
        status = EXCLUDED.status,
        attempt_count = deliveries.attempt_count + EXCLUDED.attempt_count,
        retry_times = EXCLUDED.retry_times,
        repeat_times = EXCLUDED.repeat_times,
        next_attempt_at = EXCLUDED.next_attempt_at,
        last_error_code = EXCLUDED.last_error_code,
        last_error = EXCLUDED.last_error,
        pass_back = EXCLUDED.pass_back,
        updated_at = now(),
        finished_at = EXCLUDED.finished_at
      RETURNING id, event_id, dispatcher_id, attempt_count
    )
    INSERT INTO delivery_attempts (delivery_id, event_id, dispatcher_id, attempt_no, trigger, retry_times, repeat_times, started_at,
                                   finished_at, latency_ms, outcome, error_code, error_message, response_status, ret_code, response_excerpt)
    SELECT u.id, a.event_id, a.dispatcher_id, u.attempt_count - a.batch_count + a.ordinal, a.trigger, a.retry_times, a.repeat_times, a.started_at,
           a.finished_at, a.latency_ms, a.outcome, a.error_code, a.error_message, a.response_status, a.ret_code, a.response_excerpt
    FROM ${a.from()}
    JOIN upserted u ON u.event_id = a.event_id AND u.dispatcher_id = a.dispatcher_id`);
  return { sql, params: [...d.params, ...a.params], numbers };
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
