// Endpoint health of processors (migration 0015): the dispatchers write their breakers' transitions
// (one row per processor and dispatcher instance, plus a short history), keep their rows fresh with a
// heartbeat, and pause a processor that failed too long; the admin reads it all back, aggregated.
// Aggregation: a processor's state is the most severe among the live instances' rows (open > half_open >
// closed), with the earliest failing_since, the latest failure and the earliest next probe; every live
// instance's row is shown beside it. A row whose instance stopped heartbeating (stale) is left out.
import type { Knex } from 'knex';
import { pgSafeText, pgSafeTextOrNull, sqlStateOf } from './text-safety.ts';
import { patchVersioned } from './versioned-rows.ts';

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

/** Rows of instances silent for longer than this are stale (ignored, then pruned). @default 120000 */
export const DEFAULT_BREAKER_STALE_MS = 120_000;

export interface BreakerTransition {
  dispatcher_id: string;
  instance_id: string;
  from_state: BreakerStateName;
  to_state: BreakerStateName;
  at: Date;
  reason: string | null;
  /** The breaker as it is after the transition. */
  failing_since: Date | null;
  last_failure_at: Date | null;
  last_failure: string | null;
  next_probe_at: Date | null;
  consecutive_failures: number;
}

const MAX_TEXT_BYTES = 1024;

/**
 * Stores one transition: the instance's row and a history entry, in one transaction. A processor
 * deleted meanwhile is not an error (its rows went with it): false is returned.
 */
export async function recordBreakerTransition(knex: Knex, transition: BreakerTransition): Promise<boolean> {
  const reason = pgSafeTextOrNull(transition.reason, MAX_TEXT_BYTES);
  const row = {
    dispatcher_id: transition.dispatcher_id,
    instance_id: transition.instance_id,
    state: transition.to_state,
    since: transition.at,
    failing_since: transition.failing_since,
    last_failure_at: transition.last_failure_at,
    last_failure: pgSafeTextOrNull(transition.last_failure, MAX_TEXT_BYTES),
    next_probe_at: transition.next_probe_at,
    consecutive_failures: Math.min(transition.consecutive_failures, 2_147_483_647),
    reason,
    updated_at: knex.fn.now(),
    seen_at: knex.fn.now(),
  };
  try {
    await knex.transaction(async (trx) => {
      await trx('processor_breakers').insert(row).onConflict(['dispatcher_id', 'instance_id']).merge();
      await trx('processor_breaker_transitions').insert({
        dispatcher_id: transition.dispatcher_id,
        instance_id: transition.instance_id,
        from_state: transition.from_state,
        to_state: transition.to_state,
        at: transition.at,
        reason,
      });
    });
    return true;
  } catch (err) {
    if (sqlStateOf(err) === '23503') return false; // foreign key: the processor is gone
    throw err;
  }
}

export interface BreakerHeartbeat {
  instanceId: string;
  /** Other instances' rows older than this are deleted. @default DEFAULT_BREAKER_STALE_MS */
  staleMs?: number;
  /** History entries older than this are deleted. @default 30 days */
  historyMs?: number;
}

/** Marks the instance's rows as live, and prunes stale rows of other instances and old history. */
export async function heartbeatBreakers(knex: Knex, heartbeat: BreakerHeartbeat): Promise<void> {
  const staleS = (heartbeat.staleMs ?? DEFAULT_BREAKER_STALE_MS) / 1000;
  const historyS = (heartbeat.historyMs ?? 30 * 24 * 3600 * 1000) / 1000;
  await knex('processor_breakers').where({ instance_id: heartbeat.instanceId }).update({ seen_at: knex.fn.now() });
  await knex('processor_breakers')
    .where('seen_at', '<', knex.raw('now() - make_interval(secs => ?)', [staleS]))
    .delete();
  await knex('processor_breaker_transitions')
    .where('at', '<', knex.raw('now() - make_interval(secs => ?)', [historyS]))
    .delete();
}

/** Deletes an instance's rows (it is shutting down, its breakers go with it). */
export async function removeInstanceBreakers(knex: Knex, instanceId: string, dispatcherId?: string): Promise<void> {
  const query = knex('processor_breakers').where({ instance_id: instanceId });
  if (dispatcherId !== undefined) query.andWhere({ dispatcher_id: dispatcherId });
  await query.delete();
}

export interface AutoPause {
  reason: string;
  instanceId: string;
  at?: Date;
}

/**
 * Pauses a processor as the pause route does (its `version` is bumped and the dispatchers follow through
 * NOTIFY), remembering why. Returns false when it was already paused (or is gone): a manual pause, or
 * another instance that got there first, keeps its own reason.
 */
export async function autoPauseProcessor(knex: Knex, dispatcherId: string, pause: AutoPause): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const current = (await trx('processors').where({ dispatcher_id: dispatcherId }).forUpdate().first('paused')) as { paused: boolean } | undefined;
    if (current === undefined || current.paused) return false;
    await patchVersioned(trx, { table: 'processors', key: { dispatcher_id: dispatcherId }, columns: { paused: true }, what: `processor "${dispatcherId}"` });
    await trx('processor_auto_pauses')
      .insert({
        dispatcher_id: dispatcherId,
        paused_at: pause.at ?? trx.fn.now(),
        reason: pgSafeText(pause.reason, MAX_TEXT_BYTES),
        instance_id: pause.instanceId,
      })
      .onConflict('dispatcher_id')
      .merge();
    return true;
  });
}

export interface BreakerInstanceView {
  instance_id: string;
  state: BreakerStateName;
  since: string;
  failing_since: string | null;
  last_failure_at: string | null;
  last_failure: string | null;
  next_probe_at: string | null;
  consecutive_failures: number;
  reason: string | null;
  seen_at: string;
}

export interface ProcessorHealth {
  /** The most severe state among the live dispatcher instances; closed when none has a breaker row. */
  state: BreakerStateName;
  /** Since when the shown state holds (the instance that shows it); null = no transition recorded. */
  since: string | null;
  failing_since: string | null;
  last_failure_at: string | null;
  last_failure: string | null;
  /** The earliest next half-open probe among open breakers. */
  next_probe_at: string | null;
  /** Set while the processor stays paused by a dispatcher for failing too long. */
  auto_pause: { paused_at: string; reason: string; instance_id: string } | null;
  instances: BreakerInstanceView[];
}

const SEVERITY: Readonly<Record<BreakerStateName, number>> = { closed: 0, half_open: 1, open: 2 };

/** The health of each of `dispatcherIds` (every one gets an entry, `closed` when nothing was recorded). */
export async function processorHealth(knex: Knex, dispatcherIds: readonly string[], options: { staleMs?: number } = {}): Promise<Map<string, ProcessorHealth>> {
  const out = new Map<string, ProcessorHealth>();
  for (const id of dispatcherIds) {
    out.set(id, {
      state: 'closed',
      since: null,
      failing_since: null,
      last_failure_at: null,
      last_failure: null,
      next_probe_at: null,
      auto_pause: null,
      instances: [],
    });
  }
  if (dispatcherIds.length === 0) return out;
  const staleS = (options.staleMs ?? DEFAULT_BREAKER_STALE_MS) / 1000;
  const rows = (await knex('processor_breakers')
    .whereIn('dispatcher_id', dispatcherIds)
    .andWhere('seen_at', '>=', knex.raw('now() - make_interval(secs => ?)', [staleS]))
    .orderBy(['dispatcher_id', 'instance_id'])) as Array<Record<string, unknown> & { dispatcher_id: string }>;
  const pauses = (await knex('processor_auto_pauses').whereIn('dispatcher_id', dispatcherIds)) as Array<{
    dispatcher_id: string;
    paused_at: Date;
    reason: string;
    instance_id: string;
  }>;
  for (const row of rows) {
    const health = out.get(row.dispatcher_id);
    if (health === undefined) continue;
    const view = instanceView(row);
    health.instances.push(view);
    if (health.since === null || SEVERITY[view.state] > SEVERITY[health.state]) {
      health.state = view.state;
      health.since = view.since;
    }
    health.failing_since = earliest(health.failing_since, view.failing_since);
    if (view.last_failure_at !== null && (health.last_failure_at === null || view.last_failure_at > health.last_failure_at)) {
      health.last_failure_at = view.last_failure_at;
      health.last_failure = view.last_failure;
    }
    if (view.state !== 'closed') health.next_probe_at = earliest(health.next_probe_at, view.next_probe_at);
  }
  for (const pause of pauses) {
    const health = out.get(pause.dispatcher_id);
    if (health !== undefined) health.auto_pause = { paused_at: pause.paused_at.toISOString(), reason: pause.reason, instance_id: pause.instance_id };
  }
  return out;
}

export interface BreakerTransitionView {
  instance_id: string;
  from_state: string;
  to_state: string;
  at: string;
  reason: string | null;
}

/** The latest transitions of a processor's breakers, newest first. */
export async function breakerTransitions(knex: Knex, dispatcherId: string, limit = 50): Promise<BreakerTransitionView[]> {
  const rows = (await knex('processor_breaker_transitions')
    .where({ dispatcher_id: dispatcherId })
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit)) as Array<{
    instance_id: string;
    from_state: string;
    to_state: string;
    at: Date;
    reason: string | null;
  }>;
  return rows.map((row) => ({
    instance_id: row.instance_id,
    from_state: row.from_state,
    to_state: row.to_state,
    at: row.at.toISOString(),
    reason: row.reason,
  }));
}

function instanceView(row: Record<string, unknown>): BreakerInstanceView {
  return {
    instance_id: String(row.instance_id),
    state: row.state as BreakerStateName,
    since: iso(row.since) ?? '',
    failing_since: iso(row.failing_since),
    last_failure_at: iso(row.last_failure_at),
    last_failure: (row.last_failure as string | null) ?? null,
    next_probe_at: iso(row.next_probe_at),
    consecutive_failures: Number(row.consecutive_failures),
    reason: (row.reason as string | null) ?? null,
    seen_at: iso(row.seen_at) ?? '',
  };
}

function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
