// Repeat-chain state per (event, processor): the next occurrence the dispatcher scheduled, and whether
// the chain was cancelled (by the consumer's 30000 or by an operator). A cancelled chain stays
// cancelled: later writes of the next occurrence never clear cancelled_at.
import type { Knex } from 'knex';

export interface RepeatChainRecord {
  event_id: string;
  dispatcher_id: string;
  next_repeat_times: number | null;
  next_due_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The chain of one processor, or undefined when nothing was recorded for it yet (it is then active). */
export async function getRepeatChain(knex: Knex, eventId: string, dispatcherId: string): Promise<RepeatChainRecord | undefined> {
  const row = (await knex('repeat_chains').where({ event_id: eventId, dispatcher_id: dispatcherId }).first()) as RepeatChainRecord | undefined;
  return row === undefined ? undefined : { ...row, event_id: String(row.event_id) };
}

/** Every chain of an event, by dispatcher id. */
export async function listRepeatChains(knex: Knex, eventId: string): Promise<RepeatChainRecord[]> {
  const rows = (await knex('repeat_chains').where({ event_id: eventId }).orderBy('dispatcher_id')) as RepeatChainRecord[];
  return rows.map((row) => ({ ...row, event_id: String(row.event_id) }));
}

/**
 * Records the chain's next occurrence (null when the chain ended). Returns false when the chain is
 * cancelled: the caller must not deliver or schedule anything more for it.
 */
export async function setRepeatChainNext(
  knex: Knex,
  chain: { event_id: string; dispatcher_id: string; next_repeat_times: number | null; next_due_at: Date | null },
): Promise<boolean> {
  const rows = (await knex('repeat_chains')
    .insert({ ...chain, updated_at: knex.fn.now() })
    .onConflict(['event_id', 'dispatcher_id'])
    .merge({
      next_repeat_times: knex.raw('CASE WHEN repeat_chains.cancelled_at IS NULL THEN EXCLUDED.next_repeat_times ELSE repeat_chains.next_repeat_times END'),
      next_due_at: knex.raw('CASE WHEN repeat_chains.cancelled_at IS NULL THEN EXCLUDED.next_due_at ELSE NULL END'),
      updated_at: knex.fn.now(),
    })
    .returning('cancelled_at')) as Array<{ cancelled_at: Date | null }>;
  return rows[0]?.cancelled_at === null;
}

/**
 * Cancels the chains of an event: one processor's, or (without `dispatcherIds`) every processor's it
 * has a row for. Chains not recorded yet are created cancelled for the given ids (an already
 * cancelled one keeps its first reason). Returns how many chains it touched.
 */
export async function cancelRepeatChains(knex: Knex, eventId: string, options: { dispatcherIds?: readonly string[]; reason: string }): Promise<number> {
  const ids = options.dispatcherIds;
  if (ids !== undefined && ids.length > 0) {
    const rows = (await knex('repeat_chains')
      .insert(ids.map((id) => ({ event_id: eventId, dispatcher_id: id, cancelled_at: knex.fn.now(), cancel_reason: options.reason })))
      .onConflict(['event_id', 'dispatcher_id'])
      .merge({
        cancelled_at: knex.raw('COALESCE(repeat_chains.cancelled_at, EXCLUDED.cancelled_at)'),
        cancel_reason: knex.raw('COALESCE(repeat_chains.cancel_reason, EXCLUDED.cancel_reason)'),
        next_due_at: null,
        updated_at: knex.fn.now(),
      })
      .returning('dispatcher_id')) as unknown[];
    return rows.length;
  }
  return knex('repeat_chains')
    .where({ event_id: eventId })
    .whereNull('cancelled_at')
    .update({ cancelled_at: knex.fn.now(), cancel_reason: options.reason, next_due_at: null, updated_at: knex.fn.now() });
}

export interface CancelEventScheduleResult {
  /** False when nothing is known of the event: no events row, no chain and no timer. */
  known: boolean;
  /** Pending timers deleted (next occurrences, retries, delay and delay-process waits). */
  cancelledTimers: number;
  /** Processors whose chain was active, or whose delivery was still waiting for a timer. */
  cancelledChains: number;
  /** The deliveries set `scheduled` → `cancelled` (for their status changes). */
  cancelledDeliveries: Array<{ dispatcher_id: string; app_id: string; topic_id: string }>;
}

/**
 * Cancels everything still to come for an event, in one transaction: every processor's repeat chain
 * (created cancelled for processors whose occurrence 0 is still waiting), every pending timer, the
 * deliveries waiting for one (`scheduled` → `cancelled`) and the event's `next_due_at`. Timers the
 * delay-scheduler already holds in memory may still fire: repeat occurrences are then skipped by the
 * dispatcher's chain check.
 */
export async function cancelEventSchedule(knex: Knex, eventId: string, reason = 'admin'): Promise<CancelEventScheduleResult> {
  return knex.transaction(async (trx) => {
    const event = (await trx('events').where({ event_id: eventId }).first('event_id')) as unknown;
    const chains = (await trx('repeat_chains').where({ event_id: eventId }).whereNull('cancelled_at').pluck('dispatcher_id')) as string[];
    const waitingRows = (await trx('deliveries')
      .where({ event_id: eventId, status: 'scheduled' })
      .select('dispatcher_id', 'app_id', 'topic_id')) as CancelEventScheduleResult['cancelledDeliveries'];
    const waiting = waitingRows.map((d) => d.dispatcher_id);
    const cancelledTimers = await trx('schedules').where({ event_id: eventId }).delete();
    if (event === undefined && chains.length === 0 && cancelledTimers === 0) {
      const anyChain = (await trx('repeat_chains').where({ event_id: eventId }).first('event_id')) as unknown;
      return { known: anyChain !== undefined, cancelledTimers: 0, cancelledChains: 0, cancelledDeliveries: [] };
    }
    const ids = [...new Set([...chains, ...waiting])];
    if (ids.length > 0) await cancelRepeatChains(trx, eventId, { dispatcherIds: ids, reason });
    await trx('deliveries')
      .where({ event_id: eventId })
      .where({ status: 'scheduled' })
      .update({ status: 'cancelled', next_attempt_at: null, updated_at: trx.fn.now(), finished_at: trx.fn.now() });
    await trx('events').where({ event_id: eventId }).update({ next_due_at: null, updated_at: trx.fn.now() });
    return { known: true, cancelledTimers, cancelledChains: ids.length, cancelledDeliveries: waitingRows };
  });
}
