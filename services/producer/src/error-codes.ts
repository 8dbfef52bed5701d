// The codes of every error the producer raises (docs/errors.md is generated from it with `pnpm run
// docs:errors`). The edge (edge/edge-result.ts) answers each by its row: EvHub's `ret.code` with gRPC OK /
// HTTP 200, or, for a row with a `transport` status, that gRPC status and the row's HTTP status.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const ProducerErrors = defineErrorCodes({
  EY_MALFORMED_JSON: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer HTTP mirror',
    meaning: 'the body is not JSON (HTTP 400)',
  },
  EY_CLOUDEVENT_INVALID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer HTTP `POST /v1/cloudevents`',
    meaning:
      'a malformed CloudEvent: a required attribute (specversion, id, source, type) missing, a specversion other than 1.0, a bad `time`, `data` and `data_base64` both set, a structured body that is not a JSON object; the message names the attribute (HTTP 400)',
  },
  EY_CLOUDEVENT_MEDIA_TYPE: {
    family: 'validation',
    http: 415,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer HTTP `POST /v1/cloudevents`',
    meaning:
      'not a CloudEvent in binary mode (no `ce-specversion` header) or structured mode (`application/cloudevents+json`), or batched mode, which is not supported (HTTP 415)',
  },
  EY_PUBLISH_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.PUBLISH_FAILED,
    retriable: true,
    raisedBy: 'producer',
    meaning: 'Kafka refused the write (EvHub 20000; retriable)',
  },
  EY_PUBLISH_TIMEOUT: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.PUBLISH_FAILED,
    retriable: true,
    raisedBy: 'producer',
    meaning: 'Kafka did not acknowledge within `EY_PUBLISH_TIMEOUT_MS` (EvHub 20000; retriable)',
  },
  EY_PRODUCER_UNAVAILABLE: {
    family: 'internal',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    transport: 'UNAVAILABLE',
    raisedBy: 'producer',
    meaning: 'the instance lost its node-id lease or is shutting down and takes no Reports',
  },
  EY_IDEMPOTENCY_IN_PROGRESS: {
    family: 'conflict',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    transport: 'UNAVAILABLE',
    raisedBy: 'producer',
    meaning:
      "a Report's `option.idempotent.key` is held by another Report whose publish is not yet acknowledged, still after waiting up to `EY_PUBLISH_TIMEOUT_MS`; the message names the holder's event id, which is not handed out before it is written. EvHub 20005 with gRPC `UNAVAILABLE` / HTTP 503, retriable: retry the same Report, it then gets the holder's event id once written, or publishes itself if the holder failed or died (its claim expires `EY_PUBLISH_TIMEOUT_MS` + 1 s after it was taken)",
  },
  EY_RATE_LIMITED: {
    family: 'validation',
    http: 429,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    transport: 'RESOURCE_EXHAUSTED',
    raisedBy: 'producer',
    meaning:
      "Reports (and Prepares) of this `app_id`/`topic_id` are over the producer config's `qps`, shared by the live producer instances; retriable after `Retry-After` / `grpc-retry-pushback-ms` (gRPC RESOURCE_EXHAUSTED, HTTP 429, `ret.code` 20005)",
  },
  EY_AUTH_RATE_LIMITED: {
    family: 'validation',
    http: 429,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    transport: 'RESOURCE_EXHAUSTED',
    raisedBy: 'producer',
    meaning:
      'too many failed API key lookups from this client address (`EY_AUTH_FAILURE_LIMIT` per `EY_AUTH_FAILURE_WINDOW_MS`); keys not already known good are refused unchecked until the allowance refills. Retriable after the wait: gRPC RESOURCE_EXHAUSTED with `grpc-retry-pushback-ms`, HTTP 429 with `Retry-After`, `ret.code` 20005',
  },
  EY_QUOTA_EXCEEDED: {
    family: 'validation',
    http: 429,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    transport: 'RESOURCE_EXHAUSTED',
    raisedBy: 'producer',
    meaning:
      'the app is at `EY_MAX_PENDING_TIMERS_PER_APP` (a delay, repeat or delay-process Report, or a Commit with such a trigger) or `EY_MAX_OPEN_TRANSACTIONS_PER_APP` (a Prepare); retriable once timers fire or transactions resolve (RESOURCE_EXHAUSTED / 429, no `Retry-After`)',
  },
  EY_LIMIT_EXCEEDED: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer',
    meaning:
      'the trigger is beyond `EY_MAX_DELAY_MS`, `EY_REPEAT_MIN_INTERVAL_MS`, `EY_REPEAT_MAX_OCCURRENCES` or `EY_REPEAT_MAX_HORIZON_MS` (`ret.code` 10000, not retriable as is); the message names the field, the value and the limit',
  },
  EY_REPORT_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'producer',
    meaning: "an unexpected error (EvHub 20005); details are in the producer's log under the event id",
  },
  EY_SOURCE_RECORD_UNMAPPABLE: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer (sources)',
    meaning:
      "a record of a source topic that its `mapping` cannot take: a value that is not JSON (or a tombstone) when `mapping.data` is `json`, a missing `mapping.ordering_key` or `mapping.idempotency_key` header. Never an answer to a caller: the record goes to `eventyard.dead` with this code in `ey-error-code` and the reason, and gets a `rejected` history row under the source's app_id/topic_id. A record Report itself refuses (too large, text Postgres cannot store) is dead-lettered the same way with Report's own code",
  },
} as const);

export type ProducerErrorCode = keyof typeof ProducerErrors;
