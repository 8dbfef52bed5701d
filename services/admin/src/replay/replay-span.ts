// A replay's place in the event's trace. Eventyard stores the event's trace id (events.trace_id), not
// its spans, so a replay continues that trace: one PRODUCER span per replayed event ("replay"), whose
// parent is a remote context in the stored trace with a fresh span id, and which is the parent of the
// replayed delivery tasks (their `trace_parent` and `traceparent` header), so the dispatcher's span and
// the consumer's handler land in the event's own trace. Trace views show the replay span as a second
// root of that trace (its parent id names no recorded span). An event recorded before trace ids were
// kept starts a new trace. Without an exporter, only the traceparent is made (no span is recorded).
import { eventAttributes, traceParentInTrace, tracer, type TraceSpan } from '@eventyard/core';
import type { EventRecord } from '@eventyard/db';

export function startReplaySpan(event: EventRecord, dispatcherIds: readonly string[]): TraceSpan {
  const parent = traceParentInTrace(event.trace_id);
  const t = tracer();
  if (!t.recording) return t.startSpan('', { kind: 'producer', parent, startTrace: true });
  return t.startSpan('replay', {
    kind: 'producer',
    parent,
    startTrace: true,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.message.id': event.event_id,
      ...eventAttributes({ event_id: event.event_id, app_id: event.app_id, topic_id: event.topic_id }),
      'eventyard.trigger_source': 'manual',
      'eventyard.replay.dispatcher_ids': dispatcherIds.join(','),
    },
  });
}

/** Ends the spans of a replay batch once its tasks were acknowledged, or failed with the send's error. */
export function endReplaySpans(spans: readonly TraceSpan[], error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) span.fail(error);
    span.end();
  }
}
