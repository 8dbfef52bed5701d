// Routes one event to the processors of its (app_id, topic_id): which get a delivery task now, which
// get one later (delay-process), which filtered it out. Pure: it returns the records to produce and the
// rows to write, and the consumer loop does the I/O for a whole round at once.
import { Topics, withTraceParent } from '@eventyard/core';
import { repeatFirstDue } from './repeat-first.ts';
import type { DeliveryInput, EventInput } from '@eventyard/db';
import { APP_ID_HEADER, evaluateEvent, prepareEvent } from '@eventyard/evhub';
import { encodeMessage, EventTriggerType, type Timestamp__Output } from '@eventyard/proto';
import type { RouteTarget } from '../config-cache/processor-index.ts';
import type { RoutableEnvelope } from './decode-envelope.ts';
import { delayProcessMs } from './delay-process.ts';

/** Header carried by every record the router produces. */
export const EVENT_ID_HEADER = 'ey-event-id';

/** Resulting events.status. */
export type RoutedStatus = 'routed' | 'filtered' | 'no_subscribers';

export interface OutgoingRecord {
  topic: string;
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
  /** A task (or timer) of a broadcast's fan-out: produced in paced batches (BroadcastFanout). */
  broadcast?: true;
}

export interface RoutedEvent {
  eventId: string;
  status: RoutedStatus;
  /** The events row. */
  event: EventInput;
  /** One row per active processor of the topic (pending, scheduled or filtered). */
  deliveries: DeliveryInput[];
  /** Delivery tasks (to eventyard.deliveries.<id>) and delay-process timers (to eventyard.schedule), in processor order. */
  records: OutgoingRecord[];
}

/** The router's span for the event: the context its tasks carry, and the trace id its row stores. */
export interface RouteTrace {
  traceParent: string;
  traceId: string;
}

/** 9999-12-31T23:59:59.999Z: later `reported_at` values are ignored (Postgres and Date both stop near there). */
const MAX_TIMESTAMP_MS = 253_402_300_799_999;
const KNOWN_TRIGGER_TYPES: ReadonlySet<number> = new Set(Object.values(EventTriggerType));

/**
 * Routes `envelope` to `targets` (the processors of its app and topic). A stopped or paused processor
 * is not a subscriber for now: no task and no delivery row. A broadcast reaches every other processor
 * whatever its filters (they select an owner's or tenant's events; a broadcast is an announcement to
 * all), with delay-process and repeat handled as for any event. `nowMs` is the due-time base when the
 * envelope carries no `reported_at`.
 */
export function routeEvent(envelope: RoutableEnvelope, targets: readonly RouteTarget[], nowMs: number, trace?: RouteTrace): RoutedEvent {
  const { event_id: eventId, event, trigger, option } = envelope;
  const orderingKey = option?.orderingKey ?? '';
  const key = Buffer.from(orderingKey === '' ? eventId : orderingKey, 'utf8');
  // The router's span (route-span.ts) is the parent of every delivery of the event, retries included.
  const traceParent = trace === undefined || trace.traceParent === '' ? envelope.trace_parent : trace.traceParent;
  const headers = withTraceParent({ [EVENT_ID_HEADER]: eventId }, traceParent);
  // Timers say their app, so the producer can count pending timers per app (EY_MAX_PENDING_TIMERS_PER_APP).
  const timerHeaders = { ...headers, [APP_ID_HEADER]: event.app_id };
  const reportedMs = timestampMs(envelope.reported_at) ?? nowMs;
  const prepared = prepareEvent({ tags: event.event_comm?.event_tag?.tag_list ?? [], data: event.data });
  const broadcast = envelope.broadcast;

  // Every processor's task differs only in dispatcher_id (and scheduled_for): encode the rest once and
  // append those fields; protobuf merges concatenated encodings field by field.
  let common: Buffer | undefined;
  const taskFor = (dispatcherId: string, scheduledFor?: Timestamp__Output): Buffer => {
    common ??= encodeMessage('eventyard.v1.DeliveryTask', {
      event_id: eventId,
      event,
      trigger,
      retry_times: 0,
      repeat_times: repeat === undefined ? envelope.repeat_times : 0,
      reported_at: envelope.reported_at,
      trigger_source: 'auto',
      trace_parent: traceParent,
    });
    const own = encodeMessage('eventyard.v1.DeliveryTask', {
      dispatcher_id: dispatcherId,
      ...(scheduledFor === undefined ? {} : { scheduled_for: scheduledFor }),
    });
    return Buffer.concat([common, own]);
  };

  const deliveries: DeliveryInput[] = [];
  const records: OutgoingRecord[] = [];
  const push = (record: OutgoingRecord): void => {
    records.push(broadcast ? { ...record, broadcast: true } : record);
  };
  // A repeat event starts one chain per processor at occurrence 0 (the dispatcher schedules the rest);
  // one whose trigger cannot be scheduled (the producer refuses those) is routed once, as real-time.
  const repeat = repeatFirstDue(trigger, reportedMs);
  let active = 0;
  let produced = 0;
  let nextDueMs: number | undefined;
  for (const target of targets) {
    if (!target.active) continue;
    active++;
    const row = { event_id: eventId, dispatcher_id: target.dispatcherId, app_id: event.app_id, topic_id: event.topic_id, repeat_times: envelope.repeat_times };
    // A processor whose stored filter does not compile matches nothing until it is fixed.
    const matched = broadcast || (target.filters !== null && evaluateEvent(target.filters, prepared).matched);
    if (!matched) {
      deliveries.push({ ...row, status: 'filtered' });
      continue;
    }
    produced++;
    if (repeat !== undefined) {
      if (repeat.dueMs === undefined) {
        // The chain has no occurrence at all (e.g. end_time before begin): nothing to deliver.
        deliveries.push({ ...row, repeat_times: 0, status: 'cancelled' });
        continue;
      }
      const dueAt = timestampOf(repeat.dueMs);
      const timerId = `rep:${eventId}:${target.dispatcherId}:0`;
      const item = encodeMessage('eventyard.v1.ScheduleItem', {
        timer_id: timerId,
        due_at: dueAt,
        target_topic: target.deliveryTopic,
        key,
        value: taskFor(target.dispatcherId, dueAt),
        kind: 'repeat',
      });
      push({ topic: Topics.schedule, key: Buffer.from(timerId, 'utf8'), value: item, headers: timerHeaders });
      deliveries.push({ ...row, repeat_times: 0, status: 'scheduled', next_attempt_at: new Date(repeat.dueMs) });
      nextDueMs = nextDueMs === undefined ? repeat.dueMs : Math.min(nextDueMs, repeat.dueMs);
      continue;
    }
    const delayMs = delayProcessMs(trigger, target.delayProcessKey);
    if (delayMs <= 0) {
      push({ topic: target.deliveryTopic, key, value: taskFor(target.dispatcherId), headers });
      deliveries.push({ ...row, status: 'pending' });
      continue;
    }
    const dueMs = reportedMs + delayMs;
    const dueAt = timestampOf(dueMs);
    const timerId = `dp:${eventId}:${target.dispatcherId}`;
    const item = encodeMessage('eventyard.v1.ScheduleItem', {
      timer_id: timerId,
      due_at: dueAt,
      target_topic: target.deliveryTopic,
      key,
      value: taskFor(target.dispatcherId, dueAt),
      kind: 'delay_process',
    });
    push({ topic: Topics.schedule, key: Buffer.from(timerId, 'utf8'), value: item, headers: timerHeaders });
    deliveries.push({ ...row, status: 'scheduled', next_attempt_at: new Date(dueMs) });
    nextDueMs = nextDueMs === undefined ? dueMs : Math.min(nextDueMs, dueMs);
  }

  const status: RoutedStatus = produced > 0 ? 'routed' : active > 0 ? 'filtered' : 'no_subscribers';
  const triggerType = Number(trigger?.trigger_type ?? 0);
  const idempotencyKey = option?.idempotent?.key ?? '';
  return {
    eventId,
    status,
    event: {
      event_id: eventId,
      app_id: event.app_id,
      topic_id: event.topic_id,
      // INVALID (0) is treated as real-time; an unknown number is kept in `trigger` and recorded as real-time.
      trigger_type: KNOWN_TRIGGER_TYPES.has(triggerType) && triggerType !== 0 ? triggerType : EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME,
      // Absent stays SQL NULL (recordEvents stores JSON text for anything defined, null included).
      ...(trigger === null ? {} : { trigger }),
      status,
      ...(broadcast ? { source: 'broadcast', broadcast: true } : {}),
      ...(envelope.api_key_id === '' ? {} : { api_key_id: envelope.api_key_id }),
      ...(trace === undefined || trace.traceId === '' ? {} : { trace_id: trace.traceId }),
      ...(event.event_comm === null ? {} : { event_comm: event.event_comm }),
      payload: event.data,
      ordering_key: orderingKey === '' ? null : orderingKey,
      idempotency_key: idempotencyKey === '' ? null : idempotencyKey,
      next_due_at: nextDueMs === undefined ? null : new Date(nextDueMs),
      ...(envelope.reported_at === null ? {} : { created_at: new Date(reportedMs) }),
    },
    deliveries,
    records,
  };
}

function timestampMs(ts: Timestamp__Output | null): number | undefined {
  if (ts === null) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor(Number(ts.nanos) / 1_000_000);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMESTAMP_MS ? ms : undefined;
}

function timestampOf(ms: number): Timestamp__Output {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.floor(ms - seconds * 1000) * 1_000_000 };
}
