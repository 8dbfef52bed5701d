// The delay-scheduler's span per fired timer, made by hand (kafkajs is not instrumented): a PRODUCER
// span "send <target topic>", child of the span that scheduled the timer (the `traceparent` header kept
// with it: the producer's for a delay event, the router's for a delay-process or first repeat
// occurrence, the failed attempt's for a retry, the previous occurrence's for the next one). The record
// goes out with its headers as they were stored, so the step after it (router, dispatcher) sees the
// scheduling span, which a retry's or an occurrence's span links to.
import { messagingAttributes, messagingSpanName, traceParentFromHeaders, tracer, type TraceSpan } from '@eventyard/core';
import type { TimerRecord } from '@eventyard/db';

export function startFireSpan(timer: TimerRecord, nowMs: number): TraceSpan {
  const t = tracer();
  // No exporter, or no trace: nothing to build (the record's headers carry the trace on as they are).
  const parent = t.recording ? traceParentFromHeaders(timer.headers) : undefined;
  if (parent === undefined) return t.startSpan('', { kind: 'producer' });
  return t.startSpan(messagingSpanName('send', timer.target_topic), {
    kind: 'producer',
    parent,
    attributes: {
      ...messagingAttributes({
        operation: 'send',
        topic: timer.target_topic,
        event_id: timer.event_id === null ? undefined : String(timer.event_id),
        dispatcher_id: timer.dispatcher_id ?? undefined,
      }),
      'eventyard.timer_id': timer.id,
      'eventyard.timer_kind': timer.kind,
      // How late the timer fired: a scheduler that falls behind shows here first.
      'eventyard.timer_late_ms': Math.max(0, nowMs - timer.due_at.getTime()),
    },
  });
}

/** Ends the spans of timers produced together: failed when the send failed (the timers are retried). */
export function endFireSpans(spans: readonly TraceSpan[], error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) span.fail(error);
    span.end();
  }
}
