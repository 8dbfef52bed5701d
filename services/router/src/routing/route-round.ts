// One routing round: a run of consecutive ingest records of one partition, decoded and routed against
// one snapshot of the processors. Gathers everything the round must produce (in record order, so
// per-key order survives) and the history rows to write, deduplicated so one multi-row upsert per table
// cannot touch a row twice (the same event can appear twice in ingest, e.g. a timer fired again after a crash).
import type { DeliveryInput, EventInput } from '@eventyard/db';
import type { ProcessorIndex } from '../config-cache/processor-index.ts';
import { decodeEnvelope, type DecodeFailure } from './decode-envelope.ts';
import { routeEvent, type OutgoingRecord, type RoutedEvent } from './route-event.ts';

/** The parts of a Kafka message a round reads. */
export interface IngestRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface SkippedRecord {
  offset: string;
  reason: DecodeFailure;
  message: string;
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
  /** Records that are not a routable envelope. */
  skipped: SkippedRecord[];
}

export function routeRound(messages: readonly IngestRecord[], index: ProcessorIndex, nowMs: number): RoutedRound {
  const records: OutgoingRecord[] = [];
  const events = new Map<string, EventInput>();
  const deliveries = new Map<string, DeliveryInput>();
  const routed: RoutedEvent[] = [];
  const skipped: SkippedRecord[] = [];
  for (const message of messages) {
    const decoded = decodeEnvelope(message.value);
    if (!decoded.ok) {
      skipped.push({ offset: message.offset, reason: decoded.reason, message: decoded.message });
      continue;
    }
    const { event } = decoded.envelope;
    const result = routeEvent(decoded.envelope, index.targetsOf(event.app_id, event.topic_id), nowMs);
    routed.push(result);
    for (const record of result.records) records.push(record);
    // Delete first so a re-seen event moves to its latest position (Map keeps insertion order).
    events.delete(result.eventId);
    events.set(result.eventId, result.event);
    for (const delivery of result.deliveries) {
      const key = `${delivery.event_id}:${delivery.dispatcher_id}`;
      if (!deliveries.has(key)) deliveries.set(key, delivery);
    }
  }
  return { records, events: [...events.values()], deliveries: [...deliveries.values()], routed, skipped };
}
