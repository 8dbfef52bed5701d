// The codes of every error the admin API raises itself (docs/errors.md is generated from it with `pnpm
// run docs:errors`). Its error handler (http/api-error.ts) answers any error by its row's HTTP status, with
// EvHub's `ret.code` 10000 below 500 and 20005 from 500 on.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const AdminErrors = defineErrorCodes({
  EY_INVALID_JSON: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'the body is not JSON (HTTP 400)',
  },
  EY_INVALID_REQUEST: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning:
      "the body or a parameter does not match the route's schema; the message names the field. Also: a NUL character in any string of the path, query or body (HTTP 400; Postgres text cannot hold it), a URL that is not valid percent-encoded UTF-8 (400), a path parameter over the length limit (414), request headers or URL over Node's size limit (431)",
  },
  EY_BODY_TOO_LARGE: {
    family: 'validation',
    http: 413,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'the body exceeds `EY_ADMIN_BODY_LIMIT_BYTES` (HTTP 413)',
  },
  EY_UNSUPPORTED_MEDIA_TYPE: {
    family: 'validation',
    http: 415,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'the body is not `application/json` (HTTP 415)',
  },
  EY_REPLAY_QUERY_EMPTY: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: '`POST /v1/replay` with an empty `query`: replaying every event must be asked for explicitly (e.g. `query.since`) (HTTP 400)',
  },
  EY_PROCESSOR_NOT_SUBSCRIBED: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: "an event replayed to a processor that does not subscribe to the event's `app_id`/`topic_id` (HTTP 400)",
  },
  EY_EVENT_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no event with that id in the history (HTTP 404)',
  },
  EY_PROCESSOR_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no processor with that `dispatcher_id` (HTTP 404)',
  },
  EY_PRODUCER_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no producer config for that `app_id`/`topic_id` (HTTP 404)',
  },
  EY_API_KEY_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no API key with that id (HTTP 404)',
  },
  EY_SOURCE_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no source with that `source_id` (HTTP 404)',
  },
  EY_REPLAY_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'no replay job with that `replay_id` (HTTP 404)',
  },
  EY_PAYLOAD_PRUNED: {
    family: 'not_found',
    http: 410,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin',
    meaning:
      "the event's payload was removed by retention (`payload_pruned_at`), so it cannot be replayed (HTTP 410); in a bulk job such events count as `failed`",
  },
  EY_KAFKA_UNAVAILABLE: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'admin',
    meaning: 'Kafka could not be reached or did not acknowledge a replay/redrive write in time (HTTP 503; retriable, nothing was half-applied)',
  },
  EY_WATCH_INVALID_LAST_EVENT_ID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin (watch streams)',
    meaning: 'the `Last-Event-ID` header of a watch request is not a position this API sent (`partition:offset` pairs joined by commas, HTTP 400)',
  },
  EY_WATCH_CLIENT_TOO_SLOW: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'admin (watch streams)',
    meaning:
      'a watch stream whose client did not read fast enough (more than `EY_WATCH_CLIENT_BUFFER_BYTES` waiting) ends with a final `dropped` event carrying this code; reconnecting with the last `id` resumes where it stopped',
  },
  EY_WATCH_RESUME_GAP: {
    family: 'not_found',
    http: 410,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin (watch streams)',
    meaning:
      'a watch stream resumed with `Last-Event-ID` from a position whose status records Kafka no longer has (past the retention of `eventyard.status`): a `reset` event with this code says changes may be missing; re-read the current state (GET /v1/events) and go on',
  },
  EY_INTERNAL: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin',
    meaning: 'an unexpected error (HTTP 500); details only in the log',
  },
} as const);

export type AdminErrorCode = keyof typeof AdminErrors;
