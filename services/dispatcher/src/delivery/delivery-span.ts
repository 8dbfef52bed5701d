// The dispatcher's spans, made by hand (kafkajs has no instrumentation that reads our task's context,
// and the consumer call's span must be the traceparent the consumer receives): one CONSUMER span per
// delivery record ("process eventyard.deliveries.<id>"), child of the router's span carried in the task,
// and one CLIENT span per call to the consumer (gRPC Dispatch or the webhook POST) under it. A retry or a
// repeat occurrence is a new span in the same trace, LINKED to the attempt that scheduled it (the
// `traceparent` header of its record, which the delay-scheduler passes on unchanged).
import { messagingAttributes, messagingSpanName, rpcAttributes, tracer, Topics, type TraceSpan } from '@eventyard/core';
import type { DeliveryTask__Output } from '@eventyard/proto';
import type { AttemptOutcome } from '../outcome/index.ts';
import type { ProcessorSettings } from '../processors/processor-settings.ts';
import { webhookUrl } from '../send/target-address.ts';

/** The record's `traceparent` header: the span that produced it (the router's, or the attempt that scheduled this one). */
export function startDeliverySpan(dispatcherId: string, task: DeliveryTask__Output, recordTraceParent: string | undefined): TraceSpan {
  // The task's copy is the router's span for every attempt; a record without one (written before
  // traces were carried) falls back on its header.
  const parent = task.trace_parent === '' ? recordTraceParent : task.trace_parent;
  const t = tracer();
  // Without an exporter, no name or attributes are built: the span only carries the traceparent.
  if (!t.recording) return t.startSpan('', { kind: 'consumer', parent });
  const topic = Topics.deliveries(dispatcherId);
  const followsFrom = task.retry_times > 0 || task.repeat_times > 0;
  const link = followsFrom && recordTraceParent !== undefined && recordTraceParent !== task.trace_parent ? [recordTraceParent] : undefined;
  return t.startSpan(messagingSpanName('process', topic), {
    kind: 'consumer',
    parent,
    ...(link === undefined ? {} : { links: link }),
    attributes: {
      ...messagingAttributes({
        operation: 'process',
        topic,
        event_id: task.event_id,
        app_id: task.event?.app_id,
        topic_id: task.event?.topic_id,
        dispatcher_id: dispatcherId,
      }),
      'eventyard.retry_times': task.retry_times,
      'eventyard.repeat_times': task.repeat_times,
      'eventyard.trigger_source': task.trigger_source,
    },
  });
}

/** The call to the consumer, under the delivery's span; its traceparent is what the consumer receives. */
export function startCallSpan(delivery: TraceSpan, settings: ProcessorSettings, task: DeliveryTask__Output): TraceSpan {
  const t = tracer();
  // Without an exporter a span only carries its parent's traceparent: the delivery's span is that already
  // (parsed once, when it started), and endCallSpan does nothing to it.
  if (!t.recording) return delivery;
  const ids = { 'eventyard.event_id': task.event_id, 'eventyard.dispatcher_id': settings.dispatcherId, 'eventyard.retry_times': task.retry_times };
  if (settings.protocol === 'httpSend') {
    return t.startSpan('POST', {
      kind: 'client',
      parent: delivery.traceParent,
      attributes: { 'http.request.method': 'POST', ...urlAttributes(settings.addr), ...ids },
    });
  }
  return t.startSpan('evhub_processor.evhubProcessor/Dispatch', {
    kind: 'client',
    parent: delivery.traceParent,
    attributes: rpcAttributes('evhub_processor.evhubProcessor', 'Dispatch', { 'server.address': settings.addr, ...ids }),
  });
}

/** Ends the call's span: status ERROR with the classified error unless it succeeded. */
export function endCallSpan(span: TraceSpan, outcome: AttemptOutcome): void {
  if (!tracer().recording) return;
  span.setAttributes({
    'http.response.status_code': outcome.responseStatus,
    'eventyard.outcome': outcome.outcome,
    'error.type': outcome.errorCode === undefined ? undefined : String(outcome.errorCode),
  });
  if (outcome.outcome === 'failure') span.fail(outcome.errorMessage ?? String(outcome.errorCode ?? 'failed'));
  span.end();
}

/** Scheme, host and path only: a webhook URL's query may carry a token, and spans are not redacted. */
function urlAttributes(addr: string): Record<string, string> {
  try {
    const url = webhookUrl(addr);
    return { 'url.full': `${url.protocol}//${url.host}${url.pathname}`, 'server.address': url.hostname };
  } catch {
    return {};
  }
}
