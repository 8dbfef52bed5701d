// The producer's spans, made by hand (the gRPC server is not auto-instrumented: this span is where a
// trace starts or is continued, and must carry the event's ids): a SERVER span per Report, child of the
// caller's `traceparent` (gRPC metadata or HTTP header) or the root of a new trace, and under it a
// PRODUCER span "send eventyard.ingest" (eventyard.schedule for a delay event) whose context the record
// carries in its `traceparent` header and envelope.
import { messagingAttributes, messagingSpanName, rpcAttributes, Topics, tracer, type EventyardError, type TraceSpan } from '@eventyard/core';
import type { ValidReport } from '@eventyard/evhub';
import type { ReportCallContext, ReportOutcome } from './report-service.ts';

export function startReportSpan(context: ReportCallContext): TraceSpan {
  const t = tracer();
  // Without an exporter, no name or attributes are built: the span only carries (or starts) the trace.
  if (!t.recording) return t.startSpan('', { kind: 'server', parent: context.traceParent, startTrace: true });
  return t.startSpan('evhub_producer.evhubProducer/Report', {
    kind: 'server',
    parent: context.traceParent,
    startTrace: true,
    attributes: rpcAttributes('evhub_producer.evhubProducer', 'Report', { 'eventyard.edge': context.edge }),
  });
}

export function endReportSpan(span: TraceSpan, outcome: ReportOutcome): void {
  if (tracer().recording) {
    span.setAttributes({ 'eventyard.event_id': outcome.event_id || undefined, 'eventyard.duplicate': outcome.duplicate || undefined });
    if (outcome.error !== null) {
      span.setAttributes({ 'error.type': outcome.error.code, 'eventyard.ret_code': outcome.error.resultCode });
      span.fail(outcome.error);
    }
  }
  span.end();
}

export function startSendSpan(parent: string | undefined, report: ValidReport, eventId: string): TraceSpan {
  const t = tracer();
  if (!t.recording) return t.startSpan('', { kind: 'producer', parent });
  const topic = report.delayMs > 0 ? Topics.schedule : Topics.ingest;
  const { app_id, topic_id } = report.request.event;
  return t.startSpan(messagingSpanName('send', topic), {
    kind: 'producer',
    parent,
    attributes: messagingAttributes({ operation: 'send', topic, event_id: eventId, app_id, topic_id }),
  });
}

/**
 * A transaction's Commit, where its event becomes real: the SERVER span whose context the event's record
 * carries (the outbox relay publishes it later, as it was built here).
 */
export function startCommitSpan(traceParent: string | undefined, eventId: string): TraceSpan {
  const t = tracer();
  if (!t.recording) return t.startSpan('', { kind: 'server', parent: traceParent, startTrace: true });
  return t.startSpan('evhub_producer.evhubProducer/Commit', {
    kind: 'server',
    parent: traceParent,
    startTrace: true,
    attributes: rpcAttributes('evhub_producer.evhubProducer', 'Commit', { 'eventyard.event_id': eventId || undefined }),
  });
}

export function endCommitSpan(span: TraceSpan, outcome: { answer: { ret: { code: number; msg: string } }; error: EventyardError | null }): void {
  if (tracer().recording) {
    const { ret } = outcome.answer;
    span.setAttributes({ 'eventyard.ret_code': ret.code });
    if (outcome.error !== null) span.fail(outcome.error);
    else if (ret.code !== 0) span.fail(ret.msg);
  }
  span.end();
}
