// Carrying the W3C traceparent across Kafka: every record a traced step produces has a `traceparent`
// header (the context of the span that produced it), read back by the next step. Hand-written rather
// than an OpenTelemetry propagator with a kafkajs carrier because it must work when no SDK is loaded,
// and it is two lookups. (kafkajs has no maintained instrumentation that fits: ours carries the context in
// our own headers and envelope fields, and batches records across events.)
import type { IHeaders } from 'kafkajs';
import { parseTraceParent } from './trace-parent.ts';

export const TRACEPARENT_HEADER = 'traceparent';

/** The valid traceparent among `headers` (a consumed record's, or ones being built), or undefined. */
export function traceParentFromHeaders(headers: IHeaders | Readonly<Record<string, string>> | undefined): string | undefined {
  if (headers === undefined) return undefined;
  let value: unknown = headers[TRACEPARENT_HEADER];
  if (Array.isArray(value)) value = value[0];
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value !== 'string') return undefined;
  return parseTraceParent(value) === undefined ? undefined : value.trim();
}

/** `headers` with the traceparent set (a new object), or `headers` itself when there is no trace. */
export function withTraceParent<T extends Readonly<Record<string, string>>>(headers: T, traceParent: string | undefined): T {
  if (traceParent === undefined || traceParent === '') return headers;
  return { ...headers, [TRACEPARENT_HEADER]: traceParent };
}
