// Runs a compiled transform on one event: the payload (event.data, UTF-8 JSON) is the expression's
// input `$`, and `$event` holds the event's facts. The result is the new payload; with `headers: true`
// it must be `{"body": …, "headers": {name: value}}` and the headers are added to the webhook request.
// Every failure is an EventyardError (never retriable: the same event fails the same way again) whose
// message says what went wrong, for the delivery's attempt row and dead letter.
import { EventyardError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { describeJsonataFailure, type CompiledTransform } from './compile-transform.ts';

/** What `$event` holds in an expression. */
export interface TransformEventFacts {
  event_id: string;
  app_id: string;
  topic_id: string;
  tags: readonly string[];
  /** event_comm.event_source.source, or "". */
  source: string;
  dispatcher_id: string;
  retry_times: number;
  repeat_times: number;
}

export interface TransformOutput {
  /** The new payload: the result as UTF-8 JSON. */
  data: Buffer;
  /** Headers set by a `{body, headers}` result; {} otherwise. */
  headers: Record<string, string>;
}

export interface RunTransformOptions {
  /** The result is `{body, headers}` (the processor's `transform_headers`). @default false */
  headers?: boolean;
}

/** At most this many headers, of at most 8 KiB in all. */
export const MAX_TRANSFORM_HEADERS = 32;
const MAX_HEADER_BYTES = 8192;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// Headers the dispatcher sets itself (framing, auth, signatures, tracing, CloudEvents): a transform may not.
const RESERVED = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'host',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'authorization',
  'user-agent',
  'traceparent',
  'tracestate',
]);
const RESERVED_PREFIXES = ['webhook-', 'ce-', 'ey-', 'proxy-'];
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Applies `transform` to an event's payload; throws an EventyardError (EY_TRANSFORM_*) saying why it failed. */
export async function runTransform(
  transform: CompiledTransform,
  data: Uint8Array,
  event: TransformEventFacts,
  options: RunTransformOptions = {},
): Promise<TransformOutput> {
  const input = parsePayload(data);
  let result: unknown;
  try {
    result = await transform.evaluate(input, { event: { ...event, tags: [...event.tags] } });
  } catch (err) {
    const failure = err as { code?: unknown };
    if (failure?.code === 'D1012') {
      throw new EventyardError(EvhubErrors.EY_TRANSFORM_TIMEOUT, `transform: evaluation exceeded ${transform.limits.timeoutMs} ms (infinite loop?)`);
    }
    const detail = err instanceof Error ? `: ${err.message}` : describeJsonataFailure(err);
    throw new EventyardError(EvhubErrors.EY_TRANSFORM_FAILED, `transform: evaluation failed ${detail}`.replace(' : ', ': '));
  }
  let body = result;
  let headers: Record<string, string> = {};
  if (options.headers === true) {
    if (typeof result !== 'object' || result === null || Array.isArray(result) || !('body' in result)) {
      throw outputInvalid('with transform_headers the result must be an object {"body": …, "headers": {…}}');
    }
    const shaped = result as { body: unknown; headers?: unknown };
    body = shaped.body;
    headers = checkHeaders(shaped.headers);
  }
  if (body === undefined) throw outputInvalid('the expression produced no value for this payload');
  const text = jsonText(body);
  if (text === undefined) throw outputInvalid('the result is a function, not JSON');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > transform.limits.maxOutputBytes)
    throw outputInvalid(`the result is ${bytes} bytes of JSON, over the limit of ${transform.limits.maxOutputBytes}`);
  return { data: Buffer.from(text, 'utf8'), headers };
}

/** JSON text of a result; undefined for a function (JSONata's lambdas are objects that refer to their own environment). */
function jsonText(value: unknown): string | undefined {
  if (typeof value === 'function' || (typeof value === 'object' && value !== null && '_jsonata_lambda' in value)) return undefined;
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw outputInvalid(`the result is not JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** The payload as JSON; an empty payload is no input (`$` is undefined). */
function parsePayload(data: Uint8Array): unknown {
  if (data.byteLength === 0) return undefined;
  try {
    return JSON.parse(UTF8.decode(data)) as unknown;
  } catch (err) {
    const reason = err instanceof TypeError ? 'it is not valid UTF-8' : `it is not JSON (${err instanceof Error ? err.message : String(err)})`;
    throw new EventyardError(EvhubErrors.EY_TRANSFORM_INPUT_NOT_JSON, `transform: the payload cannot be transformed: ${reason}`);
  }
}

function checkHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw outputInvalid('headers must be an object of header name to string');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TRANSFORM_HEADERS) throw outputInvalid(`at most ${MAX_TRANSFORM_HEADERS} headers (got ${entries.length})`);
  const headers: Record<string, string> = {};
  let size = 0;
  for (const [name, raw] of entries) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw outputInvalid(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
    if (RESERVED.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix)))
      throw outputInvalid(`header ${JSON.stringify(name)} is set by Eventyard and may not be set by a transform`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
      throw outputInvalid(`header ${JSON.stringify(name)} must be a string, number or boolean`);
    const text = String(raw);
    // Tab and visible ASCII/Latin-1 only: no CR/LF (header injection) or other control characters.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(text)) throw outputInvalid(`header ${JSON.stringify(name)} has a character not allowed in an HTTP header value`);
    size += name.length + text.length;
    if (size > MAX_HEADER_BYTES) throw outputInvalid(`headers exceed ${MAX_HEADER_BYTES} bytes`);
    headers[lower] = text;
  }
  return headers;
}

function outputInvalid(problem: string): EventyardError {
  return new EventyardError(EvhubErrors.EY_TRANSFORM_OUTPUT_INVALID, `transform: ${problem}`);
}
