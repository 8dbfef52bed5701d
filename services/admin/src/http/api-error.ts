// The one place errors become admin API replies: an HTTP status and EvHub's `{"ret": {"code", "msg"}}`
// whose message names the bad field, plus our stable `error` code (EY_*). Fastify's own errors (bad JSON,
// schema validation, body too large, unsupported media type) are mapped here too, so every 4xx looks alike.
import { isEventyardError, ResultCode } from '@eventyard/core';
import type { FastifyError } from 'fastify';
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

const FAMILY_STATUS: Record<string, number> = {
  validation: 400,
  config: 400,
  not_found: 404,
  conflict: 409,
  timeout: 503,
};

/** An error raised by a route for a client mistake: status and message chosen by the route. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

export function reply(status: number, code: string, msg: string): ApiErrorReply {
  return { status, body: { ret: { code: status >= 500 ? ResultCode.SYSTEM_ERROR : ResultCode.INVALID_PARAMETER, msg }, error: code } };
}

/** Maps any thrown error to a reply; `internal` is true when it should be logged as a server fault. */
export function toApiError(err: unknown, bodyLimitBytes: number): ApiErrorReply & { internal: boolean } {
  if (err instanceof HttpError) return { ...reply(err.status, err.code, err.message), internal: false };
  if (isEventyardError(err)) {
    const status = FAMILY_STATUS[err.family];
    if (status !== undefined && status < 500) return { ...reply(status, err.code, err.message), internal: false };
    return { ...reply(status ?? 500, err.code, status === 503 ? err.message : 'internal error'), internal: true };
  }
  const fastifyError = err as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    return { ...reply(400, 'EY_INVALID_REQUEST', validationMessage(fastifyError.validation, fastifyError.validationContext)), internal: false };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { ...reply(400, 'EY_INVALID_JSON', `request body is not valid JSON: ${fastifyError.message ?? ''}`.trim()), internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { ...reply(400, 'EY_INVALID_JSON', 'request body is empty: expected a JSON object'), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { ...reply(413, 'EY_BODY_TOO_LARGE', `request body is larger than ${bodyLimitBytes} bytes`), internal: false };
    // Fastify's router refuses these before any route runs (frameworkErrors hands them here).
    case 'FST_ERR_BAD_URL':
      return { ...reply(400, 'EY_INVALID_REQUEST', 'the URL is not valid percent-encoded UTF-8'), internal: false };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { ...reply(414, 'EY_INVALID_REQUEST', 'a path parameter is longer than the server accepts'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { ...reply(415, 'EY_UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json'), internal: false };
    default:
      break;
  }
  // secure-json-parse throws a SyntaxError the JSON parser reports with statusCode 400.
  if (err instanceof SyntaxError) return { ...reply(400, 'EY_INVALID_JSON', `request body is not valid JSON: ${err.message}`), internal: false };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { ...reply(status, 'EY_INVALID_REQUEST', fastifyError.message ?? 'bad request'), internal: false };
  }
  return { ...reply(500, 'EY_INTERNAL', 'internal error'), internal: true };
}
