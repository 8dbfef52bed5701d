// Turns one ingest record into an IngestEnvelope the router can route and record, or says why it
// cannot. Anything that would make Postgres refuse the event's row (a non-numeric event id, NUL in a
// text column) is refused here, so one bad record is skipped instead of failing its batch forever.
import { decodeMessage, type IngestEnvelope__Output } from '@eventyard/proto';

/** Why an ingest record was skipped (a metric label: keep the set small and fixed). */
export const DecodeFailure = {
  EMPTY: 'empty',
  NOT_PROTOBUF: 'not_protobuf',
  BAD_EVENT_ID: 'bad_event_id',
  NO_EVENT: 'no_event',
  NO_APP_OR_TOPIC: 'no_app_or_topic',
  NUL_CHARACTER: 'nul_character',
} as const;
export type DecodeFailure = (typeof DecodeFailure)[keyof typeof DecodeFailure];

/** An envelope whose `event` is present and whose ids are valid. */
export type RoutableEnvelope = IngestEnvelope__Output & { event: NonNullable<IngestEnvelope__Output['event']> };

export type DecodeResult = { ok: true; envelope: RoutableEnvelope } | { ok: false; reason: DecodeFailure; message: string };

const MAX_EVENT_ID = (1n << 63n) - 1n;
const DECIMAL_ID = /^[1-9]\d{0,18}$/;

export function decodeEnvelope(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return fail(DecodeFailure.EMPTY, 'record has no value');
  let envelope: IngestEnvelope__Output;
  try {
    envelope = decodeMessage('eventyard.v1.IngestEnvelope', value);
  } catch (err) {
    return fail(DecodeFailure.NOT_PROTOBUF, err instanceof Error ? err.message : String(err));
  }
  if (!DECIMAL_ID.test(envelope.event_id) || BigInt(envelope.event_id) > MAX_EVENT_ID) {
    return fail(DecodeFailure.BAD_EVENT_ID, 'event_id must be a decimal 64-bit id greater than 0');
  }
  const event = envelope.event;
  if (event === null) return fail(DecodeFailure.NO_EVENT, 'envelope has no event');
  if (event.app_id === '' || event.topic_id === '') return fail(DecodeFailure.NO_APP_OR_TOPIC, 'event.app_id and event.topic_id are required');
  if (hasNul(envelope)) return fail(DecodeFailure.NUL_CHARACTER, 'a string field holds a NUL character, which Postgres cannot store');
  return { ok: true, envelope: envelope as RoutableEnvelope };
}

function fail(reason: DecodeFailure, message: string): DecodeResult {
  return { ok: false, reason, message };
}

/** True when any string in the decoded message (text and jsonb columns) contains U+0000. Bytes are exempt. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasNul);
  return Object.values(value as Record<string, unknown>).some(hasNul);
}
