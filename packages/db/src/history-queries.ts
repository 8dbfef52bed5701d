// Delivery-history queries behind the admin API's lists and processor stats: events and deliveries
// newest first, keyset-paged on their ids (an id cursor stays exact while new rows arrive), and one
// processor's counts and attempt latencies over a time window.
//
// Every list is written so each filter combination is an ordered index scan that stops after `limit`
// rows: a status list becomes one branch per status (an IN list cannot come out of a (status, id) index
// in id order), merged and cut again, and event lists filtered by their deliveries are driven from the
// deliveries' (…, status, event_id) indexes (migration 0005). See bench/query for the numbers.
import type { Knex } from 'knex';
import { DELIVERY_STATUSES, type AttemptRecord, type DeliveryRecord, type DeliveryStatus } from './history.ts';

export type RetrySource = 'auto' | 'manual';
export type DeliveryOutcome = 'success' | 'failure';

/** The delivery statuses each outcome stands for. */
export const OUTCOME_STATUSES: Readonly<Record<DeliveryOutcome, readonly DeliveryStatus[]>> = {
  success: ['succeeded'],
  failure: ['failed', 'dead'],
};

/** Filters on an event's deliveries: an event matches when at least one of its deliveries matches all of them. */
export interface DeliveryMatch {
  dispatcher_id?: string;
  /** Any of these statuses. */
  statuses?: readonly DeliveryStatus[];
  /** Narrows `statuses` (intersection) to succeeded, or to failed and dead. */
  outcome?: DeliveryOutcome;
  /** `manual`: the delivery has at least one manual attempt (replay, redrive); `auto`: it has none. */
  retry_source?: RetrySource;
}

export interface EventListQuery extends DeliveryMatch {
  app_id?: string;
  topic_id?: string;
  /** events.status. */
  status?: string;
  /** created_at >= since. */
  since?: Date;
  /** created_at < until. */
  until?: Date;
  event_ids?: readonly string[];
  /** Keyset cursor: only events with a smaller event_id (the last id of the previous page). */
  before?: string;
  limit: number;
}

export interface DeliveryListQuery extends DeliveryMatch {
  app_id?: string;
  topic_id?: string;
  /** deliveries.created_at >= since. */
  since?: Date;
  /** deliveries.created_at < until. */
  until?: Date;
  event_ids?: readonly string[];
  /** Keyset cursor: only deliveries with a smaller id. */
  before?: string;
  limit: number;
}

/** An event row without its payload and trigger documents: what a list shows. */
export interface EventSummary {
  event_id: string;
  app_id: string;
  topic_id: string;
  status: string;
  trigger_type: number;
  source: string;
  broadcast: boolean;
  ordering_key: string | null;
  payload_size: number;
  payload_pruned_at: Date | null;
  next_due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SUMMARY_COLUMNS = [
  'event_id',
  'app_id',
  'topic_id',
  'status',
  'trigger_type',
  'source',
  'broadcast',
  'ordering_key',
  'payload_size',
  'payload_pruned_at',
  'next_due_at',
  'created_at',
  'updated_at',
] as const;

/** The statuses a match allows, or undefined for any; an empty list means nothing can match. */
export function matchedStatuses(match: Pick<DeliveryMatch, 'statuses' | 'outcome'>): readonly DeliveryStatus[] | undefined {
  let statuses = match.statuses === undefined ? undefined : [...new Set(match.statuses)];
  if (match.outcome !== undefined) {
    const allowed = OUTCOME_STATUSES[match.outcome];
    statuses = (statuses ?? [...allowed]).filter((status) => allowed.includes(status));
  }
  return statuses;
}

const hasDeliveryMatch = (q: DeliveryMatch): boolean =>
  q.dispatcher_id !== undefined || q.statuses !== undefined || q.outcome !== undefined || q.retry_source !== undefined;

/** Events newest first (event_id order: ids are time-sortable), optionally only those with a matching delivery. */
export async function queryEvents(knex: Knex, query: EventListQuery): Promise<EventSummary[]> {
  // `ids` is the column in scan order (a cursor or id list on it keeps the scan an index range).
  // `apps` is where app_id and topic_id are read (deliveries carry the event's, so a branch filters
  // its own rows before probing events).
  const eventFilters = (q: Knex.QueryBuilder, alias: string, ids: string, apps = alias): void => {
    const col = (name: string) => `${alias}.${name}`;
    if (query.app_id !== undefined) void q.where(`${apps}.app_id`, query.app_id);
    if (query.topic_id !== undefined) void q.where(`${apps}.topic_id`, query.topic_id);
    if (query.status !== undefined) void q.where(col('status'), query.status);
    if (query.since !== undefined) void q.where(col('created_at'), '>=', query.since);
    if (query.until !== undefined) void q.where(col('created_at'), '<', query.until);
    if (query.event_ids !== undefined) void q.whereIn(ids, [...query.event_ids]);
    if (query.before !== undefined) void q.where(ids, '<', query.before);
  };
  const rows = knex('events as e')
    .select(SUMMARY_COLUMNS.map((name) => `e.${name}`))
    .orderBy('e.event_id', 'desc')
    .limit(query.limit);
  if (hasDeliveryMatch(query)) {
    const statuses = matchedStatuses(query);
    if (statuses?.length === 0) return [];
    const branches = deliveryBranches(knex, query, statuses, (branch, driver) => {
      // Each branch yields the newest `limit` distinct matching event ids in index order; the events'
      // own filters are applied inside it, or the cut would drop rows the outer filter then misses.
      const ids = `${driver}.event_id`;
      void branch.distinct(ids).join('events as f', 'f.event_id', ids).orderBy(ids, 'desc').limit(query.limit);
      eventFilters(branch, 'f', ids, 'd');
    });
    void rows.whereIn('e.event_id', knex.unionAll(branches, true));
  } else {
    eventFilters(rows, 'e', 'e.event_id');
  }
  return ((await rows) as EventSummary[]).map((row) => ({ ...row, event_id: String(row.event_id) }));
}

/** Deliveries newest first (id order), each with its attempts oldest first. */
export async function queryDeliveries(knex: Knex, query: DeliveryListQuery): Promise<Array<DeliveryRecord & { attempts: AttemptRecord[] }>> {
  const statuses = matchedStatuses(query);
  if (statuses?.length === 0) return [];
  const filters = (q: Knex.QueryBuilder, ids: string): void => {
    if (query.app_id !== undefined) void q.where('d.app_id', query.app_id);
    if (query.topic_id !== undefined) void q.where('d.topic_id', query.topic_id);
    if (query.since !== undefined) void q.where('d.created_at', '>=', query.since);
    if (query.until !== undefined) void q.where('d.created_at', '<', query.until);
    if (query.event_ids !== undefined) void q.whereIn('d.event_id', [...query.event_ids]);
    if (query.before !== undefined) void q.where(ids, '<', query.before);
  };
  const rows = knex('deliveries as d').select('d.*').orderBy('d.id', 'desc').limit(query.limit);
  if (statuses === undefined && query.retry_source !== 'manual') {
    // No status list: one scan, of (dispatcher_id, id) or the primary key, in id order.
    if (query.dispatcher_id !== undefined) void rows.where('d.dispatcher_id', query.dispatcher_id);
    if (query.retry_source === 'auto') void rows.whereNotExists(manualAttemptOf(knex, 'd'));
    filters(rows, 'd.id');
  } else {
    const branches = deliveryBranches(knex, query, statuses, (branch, driver) => {
      const ids = driver === 'a' ? 'a.delivery_id' : 'd.id';
      void branch.distinct(ids).orderBy(ids, 'desc').limit(query.limit);
      filters(branch, ids);
    });
    void rows.whereIn('d.id', knex.unionAll(branches, true));
  }
  const deliveries = (await rows) as DeliveryRecord[];
  if (deliveries.length === 0) return [];
  const attempts = (await knex('delivery_attempts')
    .whereIn(
      'delivery_id',
      deliveries.map((d) => d.id),
    )
    .orderBy(['delivery_id', 'attempt_no'])) as AttemptRecord[];
  const byDelivery = new Map<string, AttemptRecord[]>();
  for (const attempt of attempts) {
    const key = String(attempt.delivery_id);
    const list = byDelivery.get(key);
    if (list === undefined) byDelivery.set(key, [attempt]);
    else list.push(attempt);
  }
  return deliveries.map((d) => ({ ...d, id: String(d.id), event_id: String(d.event_id), attempts: byDelivery.get(String(d.id)) ?? [] }));
}

/**
 * The subqueries over deliveries that a delivery match becomes: one per status (so each is an ordered
 * scan of a (…, status, …) index; no status list = all eight), or for `manual` one driven by the few
 * manual attempts (a partial index). `shape` adds the select, order, limit and the other filters;
 * `driver` is the alias whose ids come in scan order ('d' deliveries, 'a' attempts).
 */
function deliveryBranches(
  knex: Knex,
  match: DeliveryMatch,
  statuses: readonly DeliveryStatus[] | undefined,
  shape: (branch: Knex.QueryBuilder, driver: 'a' | 'd') => void,
): Knex.QueryBuilder[] {
  if (match.retry_source === 'manual') {
    const branch = knex('delivery_attempts as a').join('deliveries as d', 'd.id', 'a.delivery_id').where('a.trigger', 'manual');
    if (match.dispatcher_id !== undefined) void branch.where('a.dispatcher_id', match.dispatcher_id);
    if (statuses !== undefined) void branch.whereIn('d.status', [...statuses]);
    shape(branch, 'a');
    return [branch];
  }
  return (statuses ?? DELIVERY_STATUSES).map((status) => {
    const branch = knex('deliveries as d').where('d.status', status);
    if (match.dispatcher_id !== undefined) void branch.where('d.dispatcher_id', match.dispatcher_id);
    if (match.retry_source === 'auto') void branch.whereNotExists(manualAttemptOf(knex, 'd'));
    shape(branch, 'd');
    return branch;
  });
}

function manualAttemptOf(knex: Knex, alias: string): Knex.QueryBuilder {
  return knex('delivery_attempts as m').select(knex.raw('1')).whereRaw(`m.delivery_id = ${alias}.id`).where('m.trigger', 'manual');
}

export interface LatencyPercentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** One processor's history over a window ending now (the database's clock). */
export interface ProcessorHistoryStats {
  /** Deliveries last changed within the window (updated_at), by their current status; every status present. */
  deliveries: Record<DeliveryStatus, number> & { total: number };
  /** Attempts started within the window, by outcome (as recorded: success, failure, timeout, …). */
  attempts: Record<string, number> & { total: number };
  /** Over the window's finished attempts (percentile_cont, so values interpolate). */
  latency_ms: LatencyPercentiles;
  /** The same restricted to broadcast events. */
  broadcast: { deliveries: number; succeeded: number; latency_ms: Pick<LatencyPercentiles, 'p50' | 'p99'> };
}

/** Enough to sort a month of one busy processor's latencies in memory (about 40 bytes a row). */
const PERCENTILE_WORK_MEM = '64MB';

const toNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Counts and attempt latencies of one processor's deliveries over the last `windowMs`. */
export async function processorHistoryStats(knex: Knex, options: { dispatcherId: string; windowMs: number }): Promise<ProcessorHistoryStats> {
  const since = knex.raw(`now() - (? * interval '1 millisecond')`, [options.windowMs]);
  const id = options.dispatcherId;
  // Each statement is one index-only range scan of a covering (dispatcher_id, time) index (migration
  // 0005), all five at once; broadcast events are found through their partial index, hashed, instead of
  // probing events once per row. (One CTE feeding both the outcome counts and the percentiles measured
  // slower than two scans: the CTE is materialised, then read twice.)
  const [byStatus, byOutcome, latency, broadcastCounts, broadcastLatency] = await Promise.all([
    knex('deliveries').select('status').count('* as n').where('dispatcher_id', id).where('updated_at', '>=', since).groupBy('status') as Promise<
      Array<{ status: DeliveryStatus; n: string }>
    >,
    knex('delivery_attempts').select('outcome').count('* as n').where('dispatcher_id', id).where('started_at', '>=', since).groupBy('outcome') as Promise<
      Array<{ outcome: string; n: string }>
    >,
    // percentile_cont sorts every latency of the window: with the default 4MB work_mem a 30-day window
    // of a busy processor sorts on disk, so this one statement gets more.
    knex.transaction(async (trx) => {
      await trx.raw(`SET LOCAL work_mem = '${PERCENTILE_WORK_MEM}'`);
      return (await trx('delivery_attempts')
        .first(trx.raw('percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p'), trx.raw('max(latency_ms) AS max'))
        .where('dispatcher_id', id)
        .where('started_at', '>=', since)
        .whereNotNull('latency_ms')) as { p: number[] | null; max: number | null } | undefined;
    }),
    knex('deliveries as d')
      .join('events as e', 'e.event_id', 'd.event_id')
      .first(knex.raw('count(*) AS n'), knex.raw(`count(*) FILTER (WHERE d.status = 'succeeded') AS succeeded`))
      .where('d.dispatcher_id', id)
      .where('d.updated_at', '>=', since)
      .where('e.broadcast', true) as Promise<{ n: string; succeeded: string } | undefined>,
    knex('delivery_attempts as a')
      .join('events as e', 'e.event_id', 'a.event_id')
      .first(knex.raw('percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY a.latency_ms) AS p'))
      .where('a.dispatcher_id', id)
      .where('a.started_at', '>=', since)
      .whereNotNull('a.latency_ms')
      .where('e.broadcast', true) as Promise<{ p: number[] | null } | undefined>,
  ]);
  const deliveries = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as Record<DeliveryStatus, number>;
  for (const row of byStatus) deliveries[row.status] = Number(row.n);
  const attempts: Record<string, number> = {};
  for (const row of byOutcome) attempts[row.outcome] = Number(row.n);
  const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
  return {
    deliveries: { ...deliveries, total: sum(deliveries) },
    attempts: { ...attempts, total: sum(attempts) },
    latency_ms: { p50: toNumber(latency?.p?.[0]), p90: toNumber(latency?.p?.[1]), p99: toNumber(latency?.p?.[2]), max: toNumber(latency?.max) },
    broadcast: {
      deliveries: Number(broadcastCounts?.n ?? 0),
      succeeded: Number(broadcastCounts?.succeeded ?? 0),
      latency_ms: { p50: toNumber(broadcastLatency?.p?.[0]), p99: toNumber(broadcastLatency?.p?.[1]) },
    },
  };
}
