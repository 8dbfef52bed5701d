// Event lookup: `GET /v1/events/:event_id` answers what happened to one event, per processor, with
// every attempt (EvHub had no such query; an event a filter dropped shows `filtered`, never "accepted").
// `DELETE /v1/events/:event_id/schedule` stops what is still to come: repeat chains and pending timers.
import { cancelEventSchedule, deliveryInputStatusChange, getEventHistory, listRepeatChains, nextDueForEvent, type Knex } from '@eventyard/db';
import type { StatusChange } from '@eventyard/evhub';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { eventView } from '../events/event-view.ts';
import { OK } from './route-values.ts';
import { CoreErrors } from '@eventyard/core';
import { AdminErrors } from '../error-codes.ts';

const INT64_MAX = 9223372036854775807n;

/** Event ids are positive decimal 64-bit integers (what Report returns). */
export function isEventId(value: string): boolean {
  return /^\d{1,19}$/.test(value) && BigInt(value) > 0n && BigInt(value) <= INT64_MAX;
}

export function registerEventRoutes(app: FastifyInstance, deps: { knex: Knex; publishStatus?: (changes: StatusChange[]) => Promise<void> }): void {
  const { knex } = deps;

  app.get<{ Params: { event_id: string } }>('/v1/events/:event_id', async (request) => {
    const canonical = canonicalEventId(request.params.event_id);
    const history = await getEventHistory(knex, canonical);
    if (history === undefined) throw new HttpError(AdminErrors.EY_EVENT_NOT_FOUND, `event ${canonical} not found`);
    const nextDue = await nextDueForEvent(knex, canonical);
    const chains = await listRepeatChains(knex, canonical);
    return { ret: OK, ...eventView(history, nextDue, chains) };
  });

  app.delete<{ Params: { event_id: string } }>('/v1/events/:event_id/schedule', async (request) => {
    const canonical = canonicalEventId(request.params.event_id);
    const result = await cancelEventSchedule(knex, canonical, 'admin');
    if (!result.known) throw new HttpError(AdminErrors.EY_EVENT_NOT_FOUND, `event ${canonical} not found`);
    // Best effort, not awaited: this route works without a broker (a failure is logged and counted).
    void deps.publishStatus?.(result.cancelledDeliveries.map((d) => deliveryInputStatusChange({ ...d, event_id: canonical, status: 'cancelled' })));
    request.log.info({ event_id: canonical, cancelled_timers: result.cancelledTimers, cancelled_chains: result.cancelledChains }, 'event schedule cancelled');
    return {
      ret: { code: 0, msg: `cancelled ${result.cancelledChains} repeat chain(s) and ${result.cancelledTimers} pending timer(s)` },
      cancelled_timers: result.cancelledTimers,
      cancelled_chains: result.cancelledChains,
    };
  });
}

/** A canonical form, so "007" finds event 7 and the lookup never depends on the caller's padding. */
function canonicalEventId(eventId: string): string {
  if (!isEventId(eventId)) throw new HttpError(CoreErrors.EY_INVALID_EVENT_ID, 'event_id must be a positive decimal 64-bit integer');
  return BigInt(eventId).toString();
}
