// The producer's edge answers every error by its table row: EvHub's ret (gRPC OK, HTTP 200) unless the row
// names a transport status. The expected answers are the ones the edge gave before the tables existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CoreErrors, EventyardError, ResultCode } from '@eventyard/core';
import { DbErrors } from '@eventyard/db';
import { EvhubErrors } from '@eventyard/evhub';
import { toEdgeResult } from '../../src/edge/edge-result.ts';
import { ProducerErrors } from '../../src/error-codes.ts';

test('success is ret.code 0 with gRPC OK and HTTP 200', () => {
  assert.deepEqual(toEdgeResult(null), { ret: { code: ResultCode.OK, msg: '' }, grpcStatus: null, httpStatus: 200, retryAfterMs: null });
});

test('authentication and "retry the same call" errors fail the call with their transport status', () => {
  const cases = [
    [CoreErrors.EY_UNAUTHENTICATED, GrpcStatus.UNAUTHENTICATED, 401, ResultCode.INVALID_PARAMETER],
    [CoreErrors.EY_PERMISSION_DENIED, GrpcStatus.PERMISSION_DENIED, 403, ResultCode.INVALID_PARAMETER],
    [ProducerErrors.EY_PRODUCER_UNAVAILABLE, GrpcStatus.UNAVAILABLE, 503, ResultCode.SYSTEM_ERROR],
    [ProducerErrors.EY_IDEMPOTENCY_IN_PROGRESS, GrpcStatus.UNAVAILABLE, 503, ResultCode.SYSTEM_ERROR],
    [ProducerErrors.EY_RATE_LIMITED, GrpcStatus.RESOURCE_EXHAUSTED, 429, ResultCode.SYSTEM_ERROR],
    [ProducerErrors.EY_AUTH_RATE_LIMITED, GrpcStatus.RESOURCE_EXHAUSTED, 429, ResultCode.SYSTEM_ERROR],
    [ProducerErrors.EY_QUOTA_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED, 429, ResultCode.SYSTEM_ERROR],
  ] as const;
  for (const [spec, grpc, http, code] of cases) {
    assert.deepEqual(
      toEdgeResult(new EventyardError(spec, 'm')),
      { ret: { code, msg: 'm' }, grpcStatus: grpc, httpStatus: http, retryAfterMs: null },
      spec.code,
    );
  }
});

test('every other error is an EvHub answer: its ret.code with gRPC OK and HTTP 200', () => {
  const cases = [
    [ProducerErrors.EY_PUBLISH_FAILED, ResultCode.PUBLISH_FAILED],
    [ProducerErrors.EY_PUBLISH_TIMEOUT, ResultCode.PUBLISH_FAILED],
    [ProducerErrors.EY_REPORT_FAILED, ResultCode.SYSTEM_ERROR],
    [ProducerErrors.EY_MALFORMED_JSON, ResultCode.INVALID_PARAMETER],
    [EvhubErrors.EY_REPORT_INVALID, ResultCode.INVALID_PARAMETER],
    [ProducerErrors.EY_LIMIT_EXCEEDED, ResultCode.INVALID_PARAMETER],
    [DbErrors.EY_NODE_ID_LEASE_LOST, ResultCode.SYSTEM_ERROR],
  ] as const;
  for (const [spec, code] of cases) {
    assert.deepEqual(
      toEdgeResult(new EventyardError(spec, 'm')),
      { ret: { code, msg: 'm' }, grpcStatus: null, httpStatus: 200, retryAfterMs: null },
      spec.code,
    );
  }
});
