// Classifies an `httpSend` webhook attempt (DESIGN.md "Lessons from the peers"):
//   - 2xx: success, unless the body is a JSON object with a non-zero `ret.code` (30000 = cancel,
//     other = retriable failure). An empty or non-JSON body is success (EvHub failed on it).
//   - 408, 429, 5xx, timeouts and transport errors: retriable failure.
//   - other 4xx: failure, not retried unless the processor sets `retry_on_4xx: true`.
//   - 3xx (redirects are not followed) and other statuses: failure, not retried: the address is wrong.
//   - non-2xx statuses decide alone; a `ret` in their body only supplies `msg` and `pass_back`.
// `Retry-After` (seconds or HTTP-date) is read on every non-success answer.
import { isEventyardError } from '@eventyard/core';
import { OutcomeErrorCode, type AttemptOutcome } from './attempt-outcome.ts';
import { classifyResult, readPassBack, type DispatchRspLike } from './dispatch-rsp.ts';
import { utf8Excerpt } from './excerpt.ts';
import { parseRetryAfter } from './retry-after.ts';

/** Response headers as undici's `request` (lower-case record) or fetch (`Headers`) give them. */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

export interface HttpResponseFacts {
  readonly status: number;
  readonly headers?: HeadersLike;
  /** The body as read (the dispatcher may have read only a bounded prefix). */
  readonly body?: Uint8Array | string | null;
}

export interface HttpOutcomeOptions {
  /** The processor's `retry_on_4xx`: retry 4xx answers other than 408 and 429 too. @default false */
  readonly retryOn4xx?: boolean;
  /** Clock for `Retry-After` dates, ms since the epoch. @default Date.now() */
  readonly nowMs?: number;
  /** Bodies larger than this are not parsed for `ret`. @default 1_048_576 */
  readonly maxJsonBytes?: number;
}

const DECODER = new TextDecoder('utf-8');

/** Classifies an HTTP response to a webhook delivery. */
export function classifyHttpResponse(response: HttpResponseFacts, options: HttpOutcomeOptions = {}): AttemptOutcome {
  const { status } = response;
  const body = response.body ?? undefined;
  const excerpt = body === undefined || (typeof body === 'string' ? body.length === 0 : body.byteLength === 0) ? undefined : utf8Excerpt(body);
  const common: { responseStatus: number; responseExcerpt?: string } =
    excerpt === undefined ? { responseStatus: status } : { responseStatus: status, responseExcerpt: excerpt };
  const rsp = readJsonObject(body, options.maxJsonBytes ?? 1_048_576);

  if (status >= 200 && status < 300) {
    const outcome = classifyResult(rsp ?? {}, common);
    return outcome.outcome === 'success' ? outcome : withRetryAfter(outcome, response.headers, options);
  }

  const retriable = isRetriableStatus(status, options.retryOn4xx === true);
  const passBack = rsp === undefined ? undefined : readPassBack(rsp);
  const message = messageFromBody(rsp) ?? `HTTP ${status}`;
  const outcome: AttemptOutcome = {
    outcome: 'failure',
    retriable,
    errorCode: `http:${status}`,
    errorMessage: message,
    ...common,
    ...(passBack === undefined ? {} : { passBack }),
  };
  return withRetryAfter(outcome, response.headers, options);
}

/**
 * Classifies a webhook attempt that got no response: a timeout (undici's *_TIMEOUT codes, an
 * AbortSignal.timeout TimeoutError, or `timedOut: true`) or a transport error; both are retried.
 * An EventyardError raised by the dispatcher itself (e.g. an SSRF refusal) keeps its own flag.
 */
export function classifyHttpError(err: unknown, facts: { readonly timedOut?: boolean } = {}): AttemptOutcome {
  if (isEventyardError(err)) {
    return { outcome: 'failure', retriable: err.retriable, errorCode: err.code, errorMessage: utf8Excerpt(err.message) };
  }
  const message = utf8Excerpt(err instanceof Error ? err.message || err.name : String(err));
  if (facts.timedOut === true || isTimeout(err)) return { outcome: 'failure', retriable: true, errorCode: OutcomeErrorCode.timeout, errorMessage: message };
  const code = errorCodeOf(err) ?? errorCodeOf(err instanceof Error ? err.cause : undefined);
  return {
    outcome: 'failure',
    retriable: true,
    errorCode: code === undefined ? OutcomeErrorCode.transport : `${OutcomeErrorCode.transport}:${code}`,
    errorMessage: message,
  };
}

/** 408, 429, 5xx and nonsense statuses (a broken proxy) are retried; other 4xx only when asked; 3xx never. */
function isRetriableStatus(status: number, retryOn4xx: boolean): boolean {
  if (status === 408 || status === 429 || status >= 500 || status < 100) return true;
  if (status >= 400) return retryOn4xx;
  return false;
}

function isTimeout(err: unknown): boolean {
  if (err instanceof Error && err.name === 'TimeoutError') return true;
  const code = errorCodeOf(err) ?? errorCodeOf(err instanceof Error ? err.cause : undefined);
  return code !== undefined && (code.endsWith('_TIMEOUT') || code === 'ETIMEDOUT');
}

function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
}

function withRetryAfter(outcome: AttemptOutcome, headers: HeadersLike | undefined, options: HttpOutcomeOptions): AttemptOutcome {
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), options.nowMs ?? Date.now());
  return retryAfterMs === undefined ? outcome : { ...outcome, retryAfterMs };
}

function header(headers: HeadersLike | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return typeof value === 'string' ? value : value?.[0];
}

/** The body parsed as a JSON object, or undefined for an empty, non-JSON, non-object or oversize body. */
function readJsonObject(body: Uint8Array | string | undefined, maxBytes: number): DispatchRspLike | undefined {
  if (body === undefined) return undefined;
  const size = typeof body === 'string' ? body.length : body.byteLength;
  if (size === 0 || size > maxBytes) return undefined;
  const text = typeof body === 'string' ? body : DECODER.decode(body);
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function messageFromBody(rsp: DispatchRspLike | undefined): string | undefined {
  const ret = rsp?.ret;
  if (typeof ret !== 'object' || ret === null) return undefined;
  const msg = (ret as { msg?: unknown }).msg;
  return typeof msg === 'string' && msg.length > 0 ? utf8Excerpt(msg) : undefined;
}
