// The tracer in force once the OpenTelemetry SDK is loaded (start-telemetry.ts imports this module only
// then): spans made through @opentelemetry/api's global tracer provider, so the SDK's sampler, span
// limits and exporters (OTEL_* variables) apply, and parented on the traceparent each service reads
// from Kafka headers, gRPC metadata or HTTP headers. These are the hand-made spans of Eventyard (see the
// README's Observability section for the list); pg and incoming HTTP come from maintained instrumentations.
import { context, ROOT_CONTEXT, SpanKind as OtelSpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import { noTraceLogFields, type TraceLogFields } from './log-trace.ts';
import { formatTraceParent, parseTraceParent } from './trace-parent.ts';
import type { SpanAttributes, SpanKind, StartSpanOptions, TraceSpan, Tracer } from './tracing.ts';

const KINDS: Readonly<Record<SpanKind, OtelSpanKind>> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
  internal: OtelSpanKind.INTERNAL,
};

class OtelSpan implements TraceSpan {
  readonly #span: Span;
  readonly traceParent: string;
  readonly traceId: string;

  constructor(span: Span) {
    this.#span = span;
    const ctx = span.spanContext();
    this.traceId = ctx.traceId;
    this.traceParent = formatTraceParent({ traceId: ctx.traceId, spanId: ctx.spanId, flags: ctx.traceFlags });
  }

  setAttributes(attributes: SpanAttributes): void {
    this.#span.setAttributes(defined(attributes));
  }

  addEvent(name: string, attributes?: SpanAttributes): void {
    this.#span.addEvent(name, attributes === undefined ? undefined : defined(attributes));
  }

  fail(error: unknown, message?: string): void {
    if (error instanceof Error) this.#span.recordException(error);
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? (error instanceof Error ? error.message : String(error)) });
  }

  end(): void {
    this.#span.end();
  }

  run<T>(fn: () => T): T {
    return context.with(trace.setSpan(context.active(), this.#span), fn);
  }
}

/** Tracer backed by the global OpenTelemetry tracer provider. */
export function createOtelTracer(name: string, version: string): Tracer {
  const otel = trace.getTracer(name, version);
  return {
    recording: true,
    startSpan(spanName: string, options: StartSpanOptions): TraceSpan {
      const links: Link[] = [];
      for (const link of options.links ?? []) {
        const parts = parseTraceParent(link);
        if (parts !== undefined) links.push({ context: { traceId: parts.traceId, spanId: parts.spanId, traceFlags: parts.flags, isRemote: true } });
      }
      const span = otel.startSpan(
        spanName,
        { kind: KINDS[options.kind], ...(options.attributes === undefined ? {} : { attributes: defined(options.attributes) }), links },
        parentContext(options.parent),
      );
      return new OtelSpan(span);
    },
  };
}

/** The logger mixin's source (log-trace.ts): the ids of the span current where a line is logged. */
export function activeTraceLogFields(): TraceLogFields {
  const active = trace.getSpanContext(context.active());
  return active === undefined || !trace.isSpanContextValid(active) ? noTraceLogFields() : { trace_id: active.traceId, span_id: active.spanId };
}

/**
 * The explicit parent, unless an instrumentation already made a span for the same incoming request
 * (the HTTP server span of `POST /v1/report` read the same traceparent): then that span is the parent,
 * so ours nests under it instead of beside it. With no valid parent: the active span, or a new trace.
 */
function parentContext(traceParent: string | undefined): Context {
  const active = context.active();
  const activeSpan = trace.getSpanContext(active);
  const parts = parseTraceParent(traceParent);
  if (parts === undefined) return activeSpan === undefined ? ROOT_CONTEXT : active;
  if (activeSpan !== undefined && activeSpan.traceId === parts.traceId) return active;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parts.traceId, spanId: parts.spanId, traceFlags: parts.flags, isRemote: true });
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
