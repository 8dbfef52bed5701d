// Turns one ingest record into an IngestEnvelope the router can route and record, or says why it
// cannot. Anything that would make Postgres refuse the event's row (a non-numeric event id, text it
// cannot store) is refused here, by the same rule the producer applies at Report, so one bad record is
// dead-lettered instead of failing its batch forever.
import { findUnstorableText } from '@eventyard/core';
import { decodeMessage, type IngestEnvelope__Output } from '@eventyard/proto';

/** Why an ingest record was rejected (a metric label: keep the set small and fixed). */
export const DecodeFailure = {
  EMPTY: 'empty',
  NOT_PROTOBUF: 'not_protobuf',
  BAD_EVENT_ID: 'bad_event_id',
  NO_EVENT: 'no_event',
  NO_APP_OR_TOPIC: 'no_app_or_topic',
  /** A string Postgres cannot store (NUL, an unpaired surrogate): the same rule as the producer's. */
  UNSTORABLE_TEXT: 'unstorable_text',
  /** One of the event's records is larger than EY_KAFKA_MAX_BATCH_BYTES (or a topic's limit). */
  TOO_LARGE: 'too_large',
} as const;
export type DecodeFailure = (typeof DecodeFailure)[keyof typeof DecodeFailure];

/** An envelope whose `event` is present and whose ids are valid. */
export type RoutableEnvelope = IngestEnvelope__Output & { event: NonNullable<IngestEnvelope__Output['event']> };

/** A failure carries what could be read: the envelope, when it decoded (its event id may be unusable). */
export type DecodeResult = { ok: true; envelope: RoutableEnvelope } | { ok: false; reason: DecodeFailure; message: string; envelope?: IngestEnvelope__Output };

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
  if (!isEventId(envelope.event_id)) {
    return fail(DecodeFailure.BAD_EVENT_ID, 'event_id must be a decimal 64-bit id greater than 0', envelope);
  }
  const event = envelope.event;
  if (event === null) return fail(DecodeFailure.NO_EVENT, 'envelope has no event', envelope);
  if (event.app_id === '' || event.topic_id === '') return fail(DecodeFailure.NO_APP_OR_TOPIC, 'event.app_id and event.topic_id are required', envelope);
  const unstorable = findUnstorableText(envelope, '');
  if (unstorable !== null) return fail(DecodeFailure.UNSTORABLE_TEXT, `${unstorable.field} ${unstorable.problem}`, envelope);
  return { ok: true, envelope: envelope as RoutableEnvelope };
}

/** Fits events.event_id (bigint, > 0), written as the producer writes it. */
export function isEventId(value: string): boolean {
  return DECIMAL_ID.test(value) && BigInt(value) <= MAX_EVENT_ID;
}

function fail(reason: DecodeFailure, message: string, envelope?: IngestEnvelope__Output): DecodeResult {
  return envelope === undefined ? { ok: false, reason, message } : { ok: false, reason, message, envelope };
}
