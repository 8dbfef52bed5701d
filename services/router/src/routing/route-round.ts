// One routing round: a run of consecutive ingest records of one partition, decoded and routed against
// one snapshot of the processors. Gathers everything the round must produce (in record order, so
// per-key order survives) and the history rows to write, deduplicated so one multi-row upsert per table
// cannot touch a row twice (the same event can appear twice in ingest, e.g. a timer fired again after a crash).
// A record that cannot be routed, or whose records would be too large for Kafka, is rejected in its place
// in the round: a dead letter among the records and a `rejected` history row (reject-record.ts).
// The consumer merges the rounds of the partitions one fetch brought (mergeRounds) into one produce and
// one history statement.
import { DEFAULT_MAX_BATCH_BYTES, estimateRecordBytes, type TraceSpan } from '@eventyard/core';
import type { DeliveryInput, EventInput } from '@eventyard/db';
import type { IHeaders } from 'kafkajs';
import type { ProcessorIndex } from '../config-cache/processor-index.ts';
import { DecodeFailure, decodeEnvelope } from './decode-envelope.ts';
import { rejectRecord, type Rejection } from './reject-record.ts';
import { routeEvent, type OutgoingRecord, type RoutedEvent } from './route-event.ts';
import { noteRejected, noteRouted, startRouteSpan } from './route-span.ts';

/** The parts of a Kafka message a round reads. */
export interface IngestRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface RoundOptions {
  /** The ingest partition, for the dead letters' source headers. @default 0 */
  partition?: number;
  /** Largest record the round may produce (EY_KAFKA_MAX_BATCH_BYTES). @default DEFAULT_MAX_BATCH_BYTES */
  maxRecordBytes?: number;
}

export interface RoutedRound {
  /** Records to produce, in ingest order. */
  records: OutgoingRecord[];
  /** One row per event id (the last occurrence in the round wins). */
  events: EventInput[];
  /** One row per (event id, dispatcher id) (the first occurrence wins, as recordDeliveries keeps existing rows). */
  deliveries: DeliveryInput[];
  /** Per event, for metrics: every routed event in order, duplicates included. */
  routed: RoutedEvent[];
  /** Records rejected to the dead-letter topic (their dead letters are in `records`, their rows in `events`). */
  rejected: Rejection[];
  /** One span per record, ended by the consumer once the round is durable. */
  spans: TraceSpan[];
}

export function routeRound(messages: readonly IngestRecord[], index: ProcessorIndex, nowMs: number, options: RoundOptions = {}): RoutedRound {
  const partition = options.partition ?? 0;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_BATCH_BYTES;
  const records: OutgoingRecord[] = [];
  const events = new Map<string, EventInput>();
  const deliveries = new Map<string, DeliveryInput>();
  const routed: RoutedEvent[] = [];
  const rejected: Rejection[] = [];
  const spans: TraceSpan[] = [];
  const reject = (rejection: Rejection): void => {
    rejected.push(rejection);
    records.push(rejection.deadLetter);
    if (rejection.row !== null) {
      events.delete(rejection.row.event_id);
      events.set(rejection.row.event_id, rejection.row);
    }
  };
  for (const message of messages) {
    const decoded = decodeEnvelope(message.value);
    const span = startRouteSpan(message.headers, decoded.envelope, partition);
    spans.push(span);
    if (!decoded.ok) {
      noteRejected(span, decoded.reason, decoded.message);
      reject(
        rejectRecord({
          record: message,
          partition,
          reason: decoded.reason,
          detail: decoded.message,
          ...(decoded.envelope === undefined ? {} : { envelope: decoded.envelope }),
          maxRecordBytes,
        }),
      );
      continue;
    }
    const { event } = decoded.envelope;
    const result = routeEvent(decoded.envelope, index.targetsOf(event.app_id, event.topic_id), nowMs, span);
    const largest = result.records.reduce((max, record) => Math.max(max, estimateRecordBytes(record)), 0);
    if (largest > maxRecordBytes) {
      // Produced, it would be refused (MESSAGE_TOO_LARGE) and retried forever: none of its records go out.
      const detail = `a record of about ${largest} bytes is over the limit of ${maxRecordBytes} bytes (EY_KAFKA_MAX_BATCH_BYTES)`;
      noteRejected(span, DecodeFailure.TOO_LARGE, detail);
      reject(
        rejectRecord({
          record: message,
          partition,
          reason: DecodeFailure.TOO_LARGE,
          detail,
          envelope: decoded.envelope,
          routedRow: result.event,
          maxRecordBytes,
        }),
      );
      continue;
    }
    routed.push(result);
    noteRouted(span, result);
    for (const record of result.records) records.push(record);
    // Delete first so a re-seen event moves to its latest position (Map keeps insertion order).
    events.delete(result.eventId);
    events.set(result.eventId, result.event);
    for (const delivery of result.deliveries) {
      const key = `${delivery.event_id}:${delivery.dispatcher_id}`;
      if (!deliveries.has(key)) deliveries.set(key, delivery);
    }
  }
  return { records, events: [...events.values()], deliveries: [...deliveries.values()], routed, rejected, spans };
}

/**
 * Several rounds (of different partitions, routed apart so each dead letter names its partition) as one:
 * records concatenated (each partition's in its order), history rows deduplicated across them as
 * routeRound does within one (the last event row wins, the first delivery row).
 */
export function mergeRounds(rounds: readonly RoutedRound[]): RoutedRound {
  if (rounds.length === 1 && rounds[0] !== undefined) return rounds[0];
  const events = new Map<string, EventInput>();
  const deliveries = new Map<string, DeliveryInput>();
  for (const round of rounds) {
    for (const event of round.events) {
      events.delete(event.event_id);
      events.set(event.event_id, event);
    }
    for (const delivery of round.deliveries) {
      const key = `${delivery.event_id}:${delivery.dispatcher_id}`;
      if (!deliveries.has(key)) deliveries.set(key, delivery);
    }
  }
  return {
    records: rounds.flatMap((r) => r.records),
    events: [...events.values()],
    deliveries: [...deliveries.values()],
    routed: rounds.flatMap((r) => r.routed),
    rejected: rounds.flatMap((r) => r.rejected),
    spans: rounds.flatMap((r) => r.spans),
  };
}
