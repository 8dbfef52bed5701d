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
    meaning: "a Report's `option.idempotent.key` is held by another Report whose publish is not yet acknowledged, still after waiting up to `EY_PUBLISH_TIMEOUT_MS`; the message names the holder's event id, which is not handed out before it is written. EvHub 20005 with gRPC `UNAVAILABLE` / HTTP 503, retriable: retry the same Report, it then gets the holder's event id once written, or publishes itself if the holder failed or died (its claim expires `EY_PUBLISH_TIMEOUT_MS` + 1 s after it was taken)",
  },
  EY_REPORT_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'producer',
    meaning: "an unexpected error (EvHub 20005); details are in the producer's log under the event id",
  },
} as const);

export type ProducerErrorCode = keyof typeof ProducerErrors;
