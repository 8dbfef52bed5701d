// What the router does with an ingest record it cannot route: never skip it. The record goes to
// eventyard.dead (as read, with why and where it came from in its headers) and, when an event id can
// be read, the event gets a history row with status `rejected` and the reason, so GET /v1/events/:id
// answers for it. The id is the envelope's, else the record's `ey-event-id` header (the producer
// writes both); a record with neither has no id anyone was given, so it has the dead letter only.
import { DeadLetterCodes, deadLetterMessage, estimateRecordBytes, storableText, textHeaders, Topics, traceParentFromHeaders } from '@eventyard/core';
import type { EventInput } from '@eventyard/db';
import type { IngestEnvelope__Output } from '@eventyard/proto';
import type { IHeaders } from 'kafkajs';
import { DecodeFailure, isEventId } from './decode-envelope.ts';
import { EVENT_ID_HEADER, type OutgoingRecord } from './route-event.ts';

export interface RejectInput {
  record: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders };
  partition: number;
  reason: DecodeFailure;
  detail: string;
  /** The envelope, when the record decoded. */
  envelope?: IngestEnvelope__Output;
  /** The events row routing made, when it got that far (a record too large): kept, status changed. */
  routedRow?: EventInput;
  maxRecordBytes: number;
}

export interface Rejection {
  offset: string;
  reason: DecodeFailure;
  detail: string;
  eventId: string | null;
  deadLetter: OutgoingRecord;
  row: EventInput | null;
}

export function rejectRecord(input: RejectInput): Rejection {
  const { record, envelope } = input;
  const headers = textHeaders(record.headers);
  const header = headers[EVENT_ID_HEADER];
  const eventId = envelope !== undefined && isEventId(envelope.event_id) ? envelope.event_id : header !== undefined && isEventId(header) ? header : null;
  const code = input.reason === DecodeFailure.TOO_LARGE ? DeadLetterCodes.recordTooLarge : DeadLetterCodes.ingestRecordInvalid;
  // The record's traceparent is kept with its headers; one written before the header was carried has the envelope's.
  const traceParent = traceParentFromHeaders(headers) ?? envelope?.trace_parent;
  const base = {
    key: record.key,
    value: record.value,
    headers,
    code,
    reason: input.detail,
    source: { topic: Topics.ingest, partition: input.partition, offset: record.offset },
    eventId,
    traceParent,
  };
  let dead = deadLetterMessage(base);
  // Kept whole when it fits; a record too large for any topic keeps its key and headers (its payload stays in the history row).
  if (estimateRecordBytes(dead) > input.maxRecordBytes) dead = deadLetterMessage({ ...base, dropValue: true });
  // A missing key or value travels as empty bytes (the headers say when the value was dropped).
  const deadLetter: OutgoingRecord = { topic: Topics.dead, key: dead.key ?? Buffer.alloc(0), value: dead.value ?? Buffer.alloc(0), headers: dead.headers };
  const row = eventId === null ? null : rejectedRow(eventId, input);
  return { offset: record.offset, reason: input.reason, detail: input.detail, eventId, deadLetter, row };
}

function rejectedRow(eventId: string, input: RejectInput): EventInput {
  const status_reason = storableText(input.detail);
  if (input.routedRow !== undefined) return { ...input.routedRow, status: 'rejected', status_reason, next_due_at: null };
  const event = input.envelope?.event ?? null;
  const orderingKey = input.envelope?.option?.orderingKey ?? '';
  const reportedMs =
    input.envelope?.reported_at === null || input.envelope?.reported_at === undefined ? NaN : Number(input.envelope.reported_at.seconds) * 1000;
  // Only what Postgres stores whatever it holds: text made storable, the payload as bytes; the
  // trigger and tags (jsonb) are left out, as they may be what was refused.
  return {
    event_id: eventId,
    app_id: storableText(event?.app_id ?? ''),
    topic_id: storableText(event?.topic_id ?? ''),
    status: 'rejected',
    status_reason,
    payload: event?.data ?? null,
    ordering_key: orderingKey === '' ? null : storableText(orderingKey),
    ...(Number.isFinite(reportedMs) && reportedMs > 0 && reportedMs < 253_402_300_799_999 ? { created_at: new Date(reportedMs) } : {}),
  };
}
