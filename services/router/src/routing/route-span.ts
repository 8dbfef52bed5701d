// The router's span per ingest record, made by hand (kafkajs has no instrumentation that reads our
// headers): a CONSUMER span "process eventyard.ingest", child of the span that produced the record
// (the producer's send span, or the delay-scheduler's timer for a delay event), whose context every
// delivery task of the event carries on. Filtering and dead-lettering are span events. The spans of a
// round end once its records and history rows are durable (ingest-consumer.ts).
import { messagingAttributes, messagingSpanName, SpanEvents, traceParentFromHeaders, tracer, Topics, type TraceSpan } from '@eventyard/core';
import type { IngestEnvelope__Output } from '@eventyard/proto';
import type { IHeaders } from 'kafkajs';
import type { RoutedEvent } from './route-event.ts';

export function startRouteSpan(headers: IHeaders | undefined, envelope: IngestEnvelope__Output | undefined, partition: number): TraceSpan {
  // The header first (the producing span); the envelope's copy for records written before it.
  const parent = traceParentFromHeaders(headers) ?? envelope?.trace_parent;
  const t = tracer();
  // Without an exporter, no name or attributes are built: the span only carries the traceparent.
  if (!t.recording) return t.startSpan('', { kind: 'consumer', parent });
  const event = envelope?.event;
  return t.startSpan(messagingSpanName('process', Topics.ingest), {
    kind: 'consumer',
    parent,
    attributes: messagingAttributes({
      operation: 'process',
      topic: Topics.ingest,
      partition,
      event_id: envelope?.event_id,
      app_id: event?.app_id,
      topic_id: event?.topic_id,
    }),
  });
}

/** Records how the event was routed: its status, each processor that filtered it out, no subscribers. */
export function noteRouted(span: TraceSpan, routed: RoutedEvent): void {
  if (!tracer().recording) return;
  span.setAttributes({ 'eventyard.status': routed.status, 'eventyard.deliveries': routed.records.length });
  if (routed.status === 'no_subscribers') span.addEvent(SpanEvents.noSubscribers);
  for (const delivery of routed.deliveries) {
    if (delivery.status === 'filtered') span.addEvent(SpanEvents.filtered, { 'eventyard.dispatcher_id': delivery.dispatcher_id });
  }
}

/** The record went to eventyard.dead instead of being routed. */
export function noteRejected(span: TraceSpan, reason: string, detail: string): void {
  span.addEvent(SpanEvents.deadLettered, { 'eventyard.reason': reason });
  span.fail(detail);
}

/** Ends a round's spans once its records are produced (or failed to be: the round is routed again). */
export function endRouteSpans(spans: readonly TraceSpan[], error: unknown): void {
  for (const span of spans) {
    if (error !== undefined) span.fail(error);
    span.end();
  }
}
