// The one place errors become admin API replies: an HTTP status and EvHub's `{"ret": {"code", "msg"}}`
// whose message names the bad field, plus our stable `error` code (EY_*). The status is the one in the
// error's row of its package's error table; fastify's own errors (bad JSON, schema validation, body too
// large, unsupported media type) are given our codes here, so every 4xx looks alike.
import { isEventyardError, ResultCode, type ErrorSpec } from '@eventyard/core';
import type { FastifyError } from 'fastify';
import { AdminErrors } from '../error-codes.ts';
import { validationMessage } from './validation-message.ts';

export interface ApiErrorBody {
  ret: { code: number; msg: string };
  /** Stable machine-readable code (docs/errors.md). */
  error: string;
}

export interface ApiErrorReply {
  status: number;
  body: ApiErrorBody;
}

/** An error raised by a route for a client mistake: the row gives code and status, the route the message. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(spec: ErrorSpec, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = spec.http;
    this.code = spec.code;
  }
}

function answer(status: number, code: string, msg: string): ApiErrorReply {
  return { status, body: { ret: { code: status >= 500 ? ResultCode.SYSTEM_ERROR : ResultCode.INVALID_PARAMETER, msg }, error: code } };
}

/** The reply for an error of the given row. */
export function reply(spec: ErrorSpec, msg: string): ApiErrorReply {
  return answer(spec.http, spec.code, msg);
}

/** Maps any thrown error to a reply; `internal` is true when it should be logged as a server fault. */
export function toApiError(err: unknown, bodyLimitBytes: number): ApiErrorReply & { internal: boolean } {
  if (err instanceof HttpError) return { ...answer(err.status, err.code, err.message), internal: false };
  if (isEventyardError(err)) {
    const status = err.httpStatus;
    if (status < 500) return { ...answer(status, err.code, err.message), internal: false };
    // 503 says "try again later" (Kafka unreachable): its message helps the caller; any other 5xx is ours.
    return { ...answer(status, err.code, status === 503 ? err.message : 'internal error'), internal: true };
  }
  const fastifyError = err as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    return { ...reply(AdminErrors.EY_INVALID_REQUEST, validationMessage(fastifyError.validation, fastifyError.validationContext)), internal: false };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { ...reply(AdminErrors.EY_INVALID_JSON, `request body is not valid JSON: ${fastifyError.message ?? ''}`.trim()), internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { ...reply(AdminErrors.EY_INVALID_JSON, 'request body is empty: expected a JSON object'), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { ...reply(AdminErrors.EY_BODY_TOO_LARGE, `request body is larger than ${bodyLimitBytes} bytes`), internal: false };
    // Fastify's router refuses these before any route runs (frameworkErrors hands them here).
    case 'FST_ERR_BAD_URL':
      return { ...reply(AdminErrors.EY_INVALID_REQUEST, 'the URL is not valid percent-encoded UTF-8'), internal: false };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // 414 says what is wrong better than the row's 400; the code stays the row's.
      return { ...answer(414, AdminErrors.EY_INVALID_REQUEST.code, 'a path parameter is longer than the server accepts'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { ...reply(AdminErrors.EY_UNSUPPORTED_MEDIA_TYPE, 'content-type must be application/json'), internal: false };
    default:
      break;
  }
  // secure-json-parse throws a SyntaxError the JSON parser reports with statusCode 400.
  if (err instanceof SyntaxError) return { ...reply(AdminErrors.EY_INVALID_JSON, `request body is not valid JSON: ${err.message}`), internal: false };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Any other client error fastify raises keeps the status fastify chose for it (e.g. 405).
    return { ...answer(status, AdminErrors.EY_INVALID_REQUEST.code, fastifyError.message ?? 'bad request'), internal: false };
  }
  return { ...reply(AdminErrors.EY_INTERNAL, 'internal error'), internal: true };
}
