// The one tracing seam every service calls (a span per Report, routed event, delivery attempt, fired
// timer). Two implementations: the pass-through tracer below, in force when no exporter is configured,
// which records nothing and only carries the W3C traceparent along (the incoming one, or a new one where
// a trace starts), so trace ids are propagated and stored at the cost of a small object per span; and,
// once startTelemetry() loaded the OpenTelemetry SDK, otel-tracer.ts, which makes real spans.
import { newTraceParent, parseTraceParent } from './trace-parent.ts';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type SpanAttributeValue = string | number | boolean;
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

export interface StartSpanOptions {
  kind: SpanKind;
  /** The W3C traceparent of the parent (a Kafka header, gRPC metadata, an HTTP header); invalid = none. */
  parent?: string | undefined;
  /**
   * With no valid parent, start a new trace (where traces begin: Report). Otherwise a span without a
   * parent carries no trace (pass-through) or is a root of its own (SDK).
   * @default false
   */
  startTrace?: boolean;
  /** traceparents of spans this one follows from without being their child (a retry, a repeat occurrence). */
  links?: readonly string[];
  attributes?: SpanAttributes;
}

export interface TraceSpan {
  /** This span's context as a traceparent, to send downstream; '' when there is no trace. */
  readonly traceParent: string;
  /** The trace's id (32 hex digits); '' when there is no trace. */
  readonly traceId: string;
  setAttributes(attributes: SpanAttributes): void;
  /** A point in the span's life worth seeing in a trace view (filtered, dead-lettered, …). */
  addEvent(name: string, attributes?: SpanAttributes): void;
  /** Marks the span failed: status ERROR with `message`, and the exception recorded when it is an error. */
  fail(error: unknown, message?: string): void;
  end(): void;
  /** Runs `fn` with this span current, so instrumented libraries (pg, http) make their spans its children. */
  run<T>(fn: () => T): T;
}

export interface Tracer {
  /** True when spans are recorded and exported (the SDK is loaded). */
  readonly recording: boolean;
  startSpan(name: string, options: StartSpanOptions): TraceSpan;
}

class PassThroughSpan implements TraceSpan {
  readonly traceParent: string;
  readonly traceId: string;
  constructor(traceParent: string, traceId: string) {
    this.traceParent = traceParent;
    this.traceId = traceId;
  }
  setAttributes(): void {}
  addEvent(): void {}
  fail(): void {}
  end(): void {}
  run<T>(fn: () => T): T {
    return fn();
  }
}

const NO_TRACE = new PassThroughSpan('', '');

/** Records nothing; the traceparent passes through unchanged (downstream sees the last recorded span). */
export const passThroughTracer: Tracer = {
  recording: false,
  startSpan(_name, options) {
    const parent = parseTraceParent(options.parent);
    if (parent !== undefined) return new PassThroughSpan(options.parent?.trim() ?? '', parent.traceId);
    if (options.startTrace !== true) return NO_TRACE;
    const started = newTraceParent();
    return new PassThroughSpan(started, started.slice(3, 35));
  },
};

let current: Tracer = passThroughTracer;

/** The process's tracer: pass-through until startTelemetry() installed the SDK's. */
export function tracer(): Tracer {
  return current;
}

/** For startTelemetry() (and its tests): installs `next` as the process's tracer. */
export function installTracer(next: Tracer): void {
  current = next;
}
