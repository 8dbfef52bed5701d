// The status changes (eventyard.status, @eventyard/evhub status-change.ts) that history writes stand for,
// built from the very rows the writers hand to Postgres, so the stream says what the history says.
import { DELIVERY_CHANGE_STATUSES, deliveryStatusChange, type DeliveryChangeStatus, type DeliveryStatusChange } from '@eventyard/evhub';
import type { AttemptInput, DeliveryInput, DeliveryRecord, EventInput, EventRecord } from './history.ts';

const CHANGE_STATUSES: ReadonlySet<string> = new Set(DELIVERY_CHANGE_STATUSES);
const isChangeStatus = (status: string): status is DeliveryChangeStatus => CHANGE_STATUSES.has(status);

/**
 * A routing round (or any recordEvents/recordRound write): one change per delivery row, and one
 * event-level change (dispatcher_id null) per event written without deliveries whose status says where
 * it stands (no_subscribers, rejected, a delayed event's scheduled, …; `routed` needs its deliveries).
 */
export function routingStatusChanges(events: readonly EventInput[], deliveries: readonly DeliveryInput[], at: Date = new Date()): DeliveryStatusChange[] {
  const changes = deliveries.map((d) => deliveryInputStatusChange(d, at));
  const withDeliveries = new Set(deliveries.map((d) => d.event_id));
  for (const event of events) {
    if (withDeliveries.has(event.event_id) || !isChangeStatus(event.status)) continue;
    changes.push(
      deliveryStatusChange({
        event_id: event.event_id,
        app_id: event.app_id,
        topic_id: event.topic_id,
        dispatcher_id: null,
        status: event.status,
        at,
        error: event.status_reason ?? null,
      }),
    );
  }
  return changes;
}

/** A delivery status set without an attempt (setDeliveryStatus, recordDeliveries). */
export function deliveryInputStatusChange(d: DeliveryInput, at: Date = new Date()): DeliveryStatusChange {
  return deliveryStatusChange({
    event_id: d.event_id,
    app_id: d.app_id,
    topic_id: d.topic_id,
    dispatcher_id: d.dispatcher_id,
    status: d.status,
    at,
    next_attempt_at: d.next_attempt_at ?? null,
  });
}

/** One change per recorded attempt: the delivery's status after it. */
export function attemptStatusChanges(attempts: readonly AttemptInput[]): DeliveryStatusChange[] {
  return attempts.map((a) =>
    deliveryStatusChange({
      event_id: a.event_id,
      app_id: a.app_id,
      topic_id: a.topic_id,
      dispatcher_id: a.dispatcher_id,
      status: a.delivery_status,
      attempt: a.retry_times + 1,
      at: a.finished_at ?? a.started_at,
      error: a.outcome === 'success' ? null : errorText(a.error_code, a.error_message),
      next_attempt_at: a.next_attempt_at ?? null,
    }),
  );
}

/**
 * The state of an event as Postgres has it now, as changes (the start of a watch stream): one per
 * delivery row, or one event-level change when it has none.
 */
export function storedStatusChanges(
  event: Pick<EventRecord, 'event_id' | 'app_id' | 'topic_id' | 'status' | 'status_reason' | 'updated_at'>,
  deliveries: readonly DeliveryRecord[],
): DeliveryStatusChange[] {
  const eventId = String(event.event_id);
  if (deliveries.length === 0) {
    if (!isChangeStatus(event.status)) return [];
    return [
      deliveryStatusChange({
        event_id: eventId,
        app_id: event.app_id,
        topic_id: event.topic_id,
        dispatcher_id: null,
        status: event.status,
        at: new Date(event.updated_at),
        error: event.status_reason,
      }),
    ];
  }
  return deliveries.map((d) =>
    deliveryStatusChange({
      event_id: eventId,
      app_id: d.app_id,
      topic_id: d.topic_id,
      dispatcher_id: d.dispatcher_id,
      status: d.status,
      attempt: d.attempt_count === 0 ? 0 : d.retry_times + 1,
      at: new Date(d.updated_at),
      error: d.status === 'succeeded' ? null : errorText(d.last_error_code, d.last_error),
      next_attempt_at: d.next_attempt_at,
    }),
  );
}

function errorText(code: string | number | null | undefined, message: string | null | undefined): string | null {
  const c = code === null || code === undefined ? '' : String(code);
  const m = message ?? '';
  if (c === '' && m === '') return null;
  return c === '' ? m : m === '' ? c : `${c}: ${m}`;
}
