// Turns one record of eventyard.schedule into the timer row it asks for, or says why it cannot: a
// garbage record is dead-lettered (rejects/rejected-records.ts) rather than allowed to stall the
// partition. Everything Postgres would refuse (text it cannot store, by the rule every stage shares; a
// non-numeric event id; an out-of-range date) is caught here, so one bad record cannot fail the batch
// insert of the good ones.
import { DELIVERY_TOPIC_PREFIX, topicNameProblem, unstorableTextProblem } from '@eventyard/core';
import { decodeMessage, type ScheduleItem__Output } from '@eventyard/proto';
import type { TimerInput } from '@eventyard/db';

export const EVENT_ID_HEADER = 'ey-event-id';
export const TIMER_ID_HEADER = 'ey-timer-id';

/** Longest timer id accepted (ids are `retry:<event_id>:<dispatcher_id>:<n>:<n>` and the like). */
export const MAX_TIMER_ID_LENGTH = 1024;
const MAX_HEADERS = 32;
const MAX_HEADER_BYTES = 8192;
const INT64_MAX = 9223372036854775807n;
/** Postgres timestamptz and JS Date both hold these; anything beyond is garbage, not a real due time. */
const MIN_DUE_MS = Date.UTC(1970, 0, 1);
const MAX_DUE_MS = Date.UTC(9999, 11, 31);

export interface ScheduleRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A failure carries the item when it decoded (its target and wrapped record name the event). */
export type ParsedScheduleItem = { ok: true; timer: TimerInput } | { ok: false; reason: string; item?: ScheduleItem__Output };

export function parseScheduleRecord(record: ScheduleRecord): ParsedScheduleItem {
  if (record.value === null || record.value.length === 0) return { ok: false, reason: 'empty value' };
  let item: ScheduleItem__Output;
  try {
    item = decodeMessage('eventyard.v1.ScheduleItem', record.value);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const fail = (reason: string): ParsedScheduleItem => ({ ok: false, reason, item });
  const timerId = item.timer_id;
  if (timerId === '') return fail('timer_id is empty');
  if (timerId.length > MAX_TIMER_ID_LENGTH) return fail(`timer_id is longer than ${MAX_TIMER_ID_LENGTH} characters`);
  const idProblem = unstorableTextProblem(timerId);
  if (idProblem !== null) return fail(`timer_id ${idProblem}`);
  const dueMs = dueMillis(item);
  if (dueMs === null) return fail('due_at is missing or out of range');
  const problem = topicNameProblem(item.target_topic);
  if (problem !== null) return fail(`target_topic ${problem}`);
  if (item.value.length === 0) return fail('value is empty');
  const kind = item.kind === '' ? 'unknown' : item.kind;
  const kindProblem = unstorableTextProblem(kind);
  if (kindProblem !== null) return fail(`kind ${kindProblem}`);
  if (kind.length > 64) return fail('kind is longer than 64 characters');
  const headers = cleanHeaders(record.headers);
  const eventId = eventIdOf(headers[EVENT_ID_HEADER], timerId);
  if (eventId !== null) headers[EVENT_ID_HEADER] = eventId;
  else delete headers[EVENT_ID_HEADER];
  return {
    ok: true,
    timer: {
      id: timerId,
      kind,
      due_at: new Date(dueMs),
      target_topic: item.target_topic,
      message_key: item.key.length === 0 ? null : item.key,
      value: item.value,
      headers,
      event_id: eventId,
      dispatcher_id: dispatcherIdOf(item.target_topic),
    },
  };
}

/**
 * Due time in whole milliseconds, rounded up: firing at this instant is never before the due time
 * the producer of the item meant, even when it carried sub-millisecond nanos.
 */
function dueMillis(item: ScheduleItem__Output): number | null {
  if (item.due_at === null) return null;
  const seconds = Number(item.due_at.seconds);
  const nanos = item.due_at.nanos;
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return null;
  const ms = seconds * 1000 + Math.ceil(nanos / 1e6);
  if (ms < MIN_DUE_MS || ms > MAX_DUE_MS) return null;
  return ms;
}

/**
 * Header values as text, with what Postgres jsonb refuses or what is oversized dropped: headers are
 * metadata the timer carries along, and the record they came with is still fired.
 */
function cleanHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (Object.keys(out).length >= MAX_HEADERS) break;
    if (name === TIMER_ID_HEADER || unstorableTextProblem(name) !== null || unstorableTextProblem(value) !== null) continue;
    bytes += name.length + value.length;
    if (bytes > MAX_HEADER_BYTES) break;
    out[name] = value;
  }
  return out;
}

/** The event id from the record's header, else from the deterministic timer id (`delay:<id>`, `retry:<id>:…`, `dp:<id>:…`). */
export function eventIdOf(header: string | undefined, timerId: string): string | null {
  if (header !== undefined && isEventId(header)) return header;
  const fromTimer = timerId.split(':')[1];
  return fromTimer !== undefined && isEventId(fromTimer) ? fromTimer : null;
}

/** Fits the schedules.event_id bigint column. */
export function isEventId(value: string): boolean {
  return /^\d{1,19}$/.test(value) && BigInt(value) <= INT64_MAX;
}

function dispatcherIdOf(topic: string): string | null {
  return topic.startsWith(DELIVERY_TOPIC_PREFIX) ? topic.slice(DELIVERY_TOPIC_PREFIX.length) : null;
}
