// Trace ids on pino log lines, so a log line can be found from a trace and the other way round. Two
// sources: per-event log contexts the services build anyway get the event's trace id (and span id when
// spans are recorded) from addTraceLogFields, which works with or without an exporter; and the logger's
// mixin adds the active OpenTelemetry span's ids to every other line, once the SDK is loaded. Without the
// SDK the mixin returns one shared empty object that the merge strategy skips: no allocation per line.
import { tracer, type TraceSpan } from './tracing.ts';

/** The ids a log line carries: pino field names, snake_case as `event_id` is. */
export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
}

const NO_FIELDS: TraceLogFields = Object.freeze({});

let activeFields: () => TraceLogFields = () => NO_FIELDS;

/** pino `mixin`: the active span's ids when the SDK is loaded, else the shared empty object. */
export function traceLogMixin(): TraceLogFields {
  return activeFields();
}

/** pino `mixinMergeStrategy`: the call's own fields win (as pino's default); nothing is copied when there is no span. */
export function mergeTraceLogFields(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_FIELDS ? mergeObject : Object.assign(mixinObject, mergeObject);
}

/**
 * For startTelemetry: `source` reads the active span's ids (returning `noTraceLogFields` when there
 * is none); undefined restores the no-op.
 */
export function installTraceLogSource(source: (() => TraceLogFields) | undefined): void {
  activeFields = source ?? (() => NO_FIELDS);
}

/** What a trace-log source returns when no span is active. */
export function noTraceLogFields(): TraceLogFields {
  return NO_FIELDS;
}

/**
 * Adds `span`'s trace id (and its span id, when spans are recorded: a pass-through span's id is its
 * parent's) to `fields`, a per-event log context, in place: nothing when the event has no trace.
 */
export function addTraceLogFields(fields: Record<string, unknown>, span: TraceSpan): void {
  if (span.traceId === '') return;
  fields.trace_id = span.traceId;
  if (tracer().recording) fields.span_id = span.traceParent.slice(36, 52);
}
