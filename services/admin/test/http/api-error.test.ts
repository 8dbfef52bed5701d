// The admin API answers every error by its row in an error table: the status is the row's, ret.code is
// 10000 below 500 and 20005 from 500 on, and only a 4xx or 503 shows its own message. The expected
// statuses are the ones the API answered before the tables existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, CoreErrors, EventyardError, ResultCode } from '@eventyard/core';
import { DbErrors } from '@eventyard/db';
import { EvhubErrors } from '@eventyard/evhub';
import { ProtoErrors } from '@eventyard/proto';
import { AdminErrors } from '../../src/error-codes.ts';
import { HttpError, toApiError } from '../../src/http/api-error.ts';

test('errors of every table the admin API sees get their row’s status', () => {
  const cases = [
    [new HttpError(AdminErrors.EY_PAYLOAD_PRUNED, 'pruned'), 410, ResultCode.INVALID_PARAMETER, 'pruned', false],
    [new HttpError(CoreErrors.EY_UNAUTHENTICATED, 'who'), 401, ResultCode.INVALID_PARAMETER, 'who', false],
    [new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, 'gone'), 404, ResultCode.INVALID_PARAMETER, 'gone', false],
    [new EventyardError(EvhubErrors.EY_INVALID_CONFIG, 'bad field'), 400, ResultCode.INVALID_PARAMETER, 'bad field', false],
    [new EventyardError(DbErrors.EY_VERSION_CONFLICT, 'changed'), 409, ResultCode.INVALID_PARAMETER, 'changed', false],
    [new EventyardError(AdminErrors.EY_KAFKA_UNAVAILABLE, 'kafka: down'), 503, ResultCode.SYSTEM_ERROR, 'kafka: down', true],
    [new EventyardError(DbErrors.EY_NODE_ID_LEASE_LOST, 'secret detail'), 500, ResultCode.SYSTEM_ERROR, 'internal error', true],
    [new EventyardError(ProtoErrors.EY_PROTO_DECODE_FAILED, 'secret detail'), 500, ResultCode.SYSTEM_ERROR, 'internal error', true],
    [new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'bad option'), 400, ResultCode.INVALID_PARAMETER, 'bad option', false],
  ] as const;
  for (const [err, status, code, msg, internal] of cases) {
    assert.deepEqual(toApiError(err, 1024), { status, body: { ret: { code, msg }, error: err.code }, internal }, err.code);
  }
});

test('fastify’s own errors get our codes, with their statuses from the admin table', () => {
  const tooLarge = toApiError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 1024);
  assert.deepEqual(tooLarge, {
    status: 413,
    body: { ret: { code: ResultCode.INVALID_PARAMETER, msg: 'request body is larger than 1024 bytes' }, error: 'EY_BODY_TOO_LARGE' },
    internal: false,
  });
  const media = toApiError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), 1024);
  assert.equal(media.status, 415);
  assert.equal(media.body.error, 'EY_UNSUPPORTED_MEDIA_TYPE');
  // Any other 4xx of fastify's keeps fastify's status under EY_INVALID_REQUEST.
  const other = toApiError(Object.assign(new Error('method not allowed'), { statusCode: 405 }), 1024);
  assert.deepEqual(other, {
    status: 405,
    body: { ret: { code: ResultCode.INVALID_PARAMETER, msg: 'method not allowed' }, error: 'EY_INVALID_REQUEST' },
    internal: false,
  });
  const crash = toApiError(new Error('boom'), 1024);
  assert.deepEqual(crash, { status: 500, body: { ret: { code: ResultCode.SYSTEM_ERROR, msg: 'internal error' }, error: 'EY_INTERNAL' }, internal: true });
});
