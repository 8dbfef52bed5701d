// The one shape of a record on `eventyard.status` (JSON, versioned by `v`): a delivery's status change as
// the history records it, or a processor's state change. Producers build records with statusChangeRecord,
// readers parse them with parseStatusChange; README "Status stream" documents the fields.
import { Topics, type TopicRecord } from '@eventyard/core';
import * as v from 'valibot';

/** Version of the shape; a reader skips records of versions it does not know. */
export const STATUS_CHANGE_VERSION = 1;

/**
 * What `status` may say in a delivery change: the delivery statuses of the history, plus the event-level
 * outcomes that concern no processor (`dispatcher_id` null): `no_subscribers`, `rejected`, and a delayed
 * event's `scheduled` or `cancelled`.
 */
export const DELIVERY_CHANGE_STATUSES = [
  'pending',
  'scheduled',
  'delivering',
  'succeeded',
  'failed',
  'dead',
  'filtered',
  'cancelled',
  'no_subscribers',
  'rejected',
] as const;
export type DeliveryChangeStatus = (typeof DELIVERY_CHANGE_STATUSES)[number];

/** Statuses after which nothing more happens to a delivery unless someone replays it. */
export const FINAL_CHANGE_STATUSES: ReadonlySet<string> = new Set<DeliveryChangeStatus>([
  'succeeded',
  'dead',
  'filtered',
  'cancelled',
  'no_subscribers',
  'rejected',
]);

/** Longest `error` text a record carries (the history keeps the whole message). */
export const MAX_STATUS_ERROR_CHARS = 1024;

/** ISO 8601 with a time zone (Z or ±hh:mm), as Date.toISOString() writes. */
const isoTime = v.pipe(v.string(), v.isoTimestamp());

export const deliveryStatusChangeSchema = v.object({
  v: v.literal(STATUS_CHANGE_VERSION),
  kind: v.literal('delivery'),
  /** Decimal event id. */
  event_id: v.pipe(v.string(), v.regex(/^\d{1,20}$/)),
  app_id: v.string(),
  topic_id: v.string(),
  /** The processor; null for an event-level outcome (no_subscribers, rejected, a delayed event's state). */
  dispatcher_id: v.nullable(v.string()),
  status: v.picklist(DELIVERY_CHANGE_STATUSES),
  /** The attempt this change follows (retry_times + 1); 0 before the first attempt. */
  attempt: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  /** When the change was recorded (ISO 8601). */
  at: isoTime,
  /** The attempt's error (`code: message`), when it failed. */
  error: v.optional(v.string()),
  /** When the next attempt is due (a retry was scheduled). */
  next_attempt_at: v.optional(isoTime),
  /** True when nothing more will happen to this delivery (unless replayed). */
  final: v.boolean(),
});
export type DeliveryStatusChange = v.InferOutput<typeof deliveryStatusChangeSchema>;

export const processorStateChangeSchema = v.object({
  v: v.literal(STATUS_CHANGE_VERSION),
  kind: v.literal('processor'),
  dispatcher_id: v.string(),
  /** The processor's new state, e.g. a circuit breaker's `open` / `half_open` / `closed`. */
  state: v.pipe(v.string(), v.minLength(1)),
  at: isoTime,
  reason: v.optional(v.string()),
});
export type ProcessorStateChange = v.InferOutput<typeof processorStateChangeSchema>;

export const statusChangeSchema = v.variant('kind', [deliveryStatusChangeSchema, processorStateChangeSchema]);
export type StatusChange = v.InferOutput<typeof statusChangeSchema>;

/** A delivery change from its parts, fields in the documented order; `final` follows from `status`. */
export function deliveryStatusChange(input: {
  event_id: string;
  app_id: string;
  topic_id: string;
  dispatcher_id: string | null;
  status: DeliveryChangeStatus;
  attempt?: number;
  at?: Date;
  error?: string | null;
  next_attempt_at?: Date | null;
}): DeliveryStatusChange {
  const change: DeliveryStatusChange = {
    v: STATUS_CHANGE_VERSION,
    kind: 'delivery',
    event_id: input.event_id,
    app_id: input.app_id,
    topic_id: input.topic_id,
    dispatcher_id: input.dispatcher_id,
    status: input.status,
    attempt: input.attempt ?? 0,
    at: (input.at ?? new Date()).toISOString(),
    final: FINAL_CHANGE_STATUSES.has(input.status),
  };
  if (input.error !== undefined && input.error !== null && input.error !== '') change.error = input.error.slice(0, MAX_STATUS_ERROR_CHARS);
  if (input.next_attempt_at !== undefined && input.next_attempt_at !== null) change.next_attempt_at = input.next_attempt_at.toISOString();
  // `final` last, as documented.
  const { final, ...rest } = change;
  return { ...rest, final };
}

/** A processor state change (the circuit breaker publishes these). */
export function processorStateChange(input: { dispatcher_id: string; state: string; at?: Date; reason?: string }): ProcessorStateChange {
  return {
    v: STATUS_CHANGE_VERSION,
    kind: 'processor',
    dispatcher_id: input.dispatcher_id,
    state: input.state,
    at: (input.at ?? new Date()).toISOString(),
    ...(input.reason === undefined ? {} : { reason: input.reason.slice(0, MAX_STATUS_ERROR_CHARS) }),
  };
}

/** The Kafka record of a change: key event_id (processor changes: dispatcher_id), value the JSON. */
export function statusChangeRecord(change: StatusChange, topic: string = Topics.status): TopicRecord & { key: Buffer; value: Buffer } {
  const key = change.kind === 'delivery' ? change.event_id : change.dispatcher_id;
  return { topic, key: Buffer.from(key, 'utf8'), value: Buffer.from(JSON.stringify(change), 'utf8') };
}

/** Parses a record's value; undefined when it is not a change of a version this reader knows. */
export function parseStatusChange(value: Buffer | string | null | undefined): StatusChange | undefined {
  if (value === null || value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(statusChangeSchema, json);
  return parsed.success ? parsed.output : undefined;
}
