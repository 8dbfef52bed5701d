// What a record on eventyard.dead says about itself. Every consumer that cannot process a record (the
// router, the delay-scheduler, the dispatcher) writes it there instead of skipping it, with the same
// headers: the dispatcher's original ones (`ey-error-code`, `ey-error-message`, `ey-attempts`, kept so
// existing readers still work) and where the record came from, so it can be found and replayed.
import { CoreErrors } from './error-codes.ts';
import type { IHeaders } from 'kafkajs';
import { storableText } from './storable-text.ts';
import { TRACEPARENT_HEADER } from './telemetry/propagation.ts';
import { parseTraceParent } from './telemetry/trace-parent.ts';

export const DeadLetterHeaders = {
  /** Event id, when one could be read. */
  eventId: 'ey-event-id',
  /** Stable code of why the record is dead (an `EY_*` code, or the processor's error code). */
  errorCode: 'ey-error-code',
  /** Human-readable reason. */
  errorMessage: 'ey-error-message',
  /** Delivery attempts made; 0 for a record refused before any attempt. */
  attempts: 'ey-attempts',
  /** Same text as `ey-error-message`, under the name every Eventyard stage uses. */
  reason: 'eventyard-reason',
  sourceTopic: 'eventyard-source-topic',
  sourcePartition: 'eventyard-source-partition',
  sourceOffset: 'eventyard-source-offset',
  /** Set when the value was left out because the record is too large for any topic: its size, bytes. */
  droppedValueBytes: 'eventyard-dropped-value-bytes',
} as const;

/** Codes of the records Eventyard's stages dead-letter themselves (docs/errors.md). */
export const DeadLetterCodes = {
  /** An ingest record the router cannot route (not an envelope, no usable id, text Postgres cannot store). */
  ingestRecordInvalid: CoreErrors.EY_INGEST_RECORD_INVALID.code,
  /** A schedule record the delay-scheduler cannot keep as a timer. */
  scheduleRecordInvalid: CoreErrors.EY_SCHEDULE_RECORD_INVALID.code,
  /** A record larger than EY_KAFKA_MAX_BATCH_BYTES, or refused by the broker as MESSAGE_TOO_LARGE. */
  recordTooLarge: CoreErrors.EY_RECORD_TOO_LARGE.code,
} as const;

/** Longest reason kept in a header: the reason is for people, and a header is not a log. */
const MAX_REASON_CHARS = 1000;

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface DeadLetterInput {
  /** The record as read (its value is dropped when `dropValue` is set). */
  key: Buffer | null;
  value: Buffer | null;
  /** The record's own headers, kept (ours override a header of the same name). */
  headers?: Record<string, string>;
  code: string;
  reason: string;
  source?: DeadLetterSource;
  eventId?: string | null;
  /** The value is larger than any topic takes: keep key and headers only. */
  dropValue?: boolean;
  /**
   * The W3C traceparent of the event's trace (the span that dead-lettered it), written as the record's
   * `traceparent` header; without a valid one, a `traceparent` among `headers` is kept as it was.
   */
  traceParent?: string | undefined;
}

/** The dead-letter record for a record no stage can process. */
export function deadLetterMessage(input: DeadLetterInput): { key: Buffer | null; value: Buffer | null; headers: Record<string, string> } {
  const reason = storableText(input.reason).slice(0, MAX_REASON_CHARS);
  const headers: Record<string, string> = { ...input.headers };
  if (input.eventId !== undefined && input.eventId !== null) headers[DeadLetterHeaders.eventId] = input.eventId;
  headers[DeadLetterHeaders.errorCode] = input.code;
  headers[DeadLetterHeaders.errorMessage] = reason;
  headers[DeadLetterHeaders.attempts] = '0';
  headers[DeadLetterHeaders.reason] = reason;
  if (input.source !== undefined) {
    headers[DeadLetterHeaders.sourceTopic] = input.source.topic;
    headers[DeadLetterHeaders.sourcePartition] = String(input.source.partition);
    headers[DeadLetterHeaders.sourceOffset] = input.source.offset;
  }
  if (input.dropValue === true) headers[DeadLetterHeaders.droppedValueBytes] = String(input.value?.length ?? 0);
  if (input.traceParent !== undefined && parseTraceParent(input.traceParent) !== undefined) headers[TRACEPARENT_HEADER] = input.traceParent.trim();
  return { key: input.key, value: input.dropValue === true ? null : input.value, headers };
}

/** A kafkajs message's headers as text (the first value of a repeated header). */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? String(value[0] ?? '') : value.toString('utf8');
  }
  return out;
}
