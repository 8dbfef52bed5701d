// gRPC Dispatch outcomes: OK + ret, cancel, failures, statuses, transport errors, pass_back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreErrors, EventyardError } from '@eventyard/core';
import { classifyGrpcError, classifyGrpcResponse } from '../../src/outcome/index.ts';

describe('classifyGrpcResponse', () => {
  test('OK with ret absent, null, {} or code 0 is success', () => {
    for (const rsp of [undefined, null, {}, { ret: null }, { ret: {} }, { ret: { code: 0, msg: '' } }]) {
      assert.deepEqual(classifyGrpcResponse(rsp), { outcome: 'success', retriable: false });
    }
  });

  test('ret.code 30000 is cancel, never retried', () => {
    assert.deepEqual(classifyGrpcResponse({ ret: { code: 30000, msg: 'stop' } }), {
      outcome: 'cancel',
      retriable: false,
      errorCode: 30000,
      errorMessage: 'stop',
    });
  });

  test('any other ret.code is a retriable failure with code and message', () => {
    assert.deepEqual(classifyGrpcResponse({ ret: { code: 12345, msg: 'db down' } }), {
      outcome: 'failure',
      retriable: true,
      errorCode: 12345,
      errorMessage: 'db down',
    });
    assert.deepEqual(classifyGrpcResponse({ ret: { code: -1 } }), { outcome: 'failure', retriable: true, errorCode: -1 });
  });

  test('a ret.code that is not an integer is a retriable failure, not a silent success', () => {
    const outcome = classifyGrpcResponse({ ret: { code: 'oops' } });
    assert.equal(outcome.outcome, 'failure');
    assert.equal(outcome.retriable, true);
    assert.equal(outcome.errorCode, 'invalid_ret_code');
    assert.match(outcome.errorMessage ?? '', /not an integer: "oops"/);
  });

  test('pass_back comes back as a Buffer, in either field spelling, and empty means none', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    assert.deepEqual(classifyGrpcResponse({ ret: { code: 1 }, pass_back: bytes }).passBack, Buffer.from([1, 2, 3]));
    assert.deepEqual(classifyGrpcResponse({ passBack: Buffer.from('hi') }).passBack, Buffer.from('hi'));
    assert.deepEqual(classifyGrpcResponse({ passBack: Buffer.from('hi').toString('base64') }).passBack, Buffer.from('hi'));
    assert.equal(classifyGrpcResponse({ pass_back: new Uint8Array(0) }).passBack, undefined);
    assert.deepEqual(classifyGrpcResponse({ ret: { code: 30000 }, pass_back: bytes }).passBack, Buffer.from([1, 2, 3]));
  });

  test('a long ret.msg is cut to 1 KiB', () => {
    const outcome = classifyGrpcResponse({ ret: { code: 7, msg: 'é'.repeat(2000) } });
    assert.equal(Buffer.byteLength(outcome.errorMessage ?? ''), 1024);
  });
});

describe('classifyGrpcError', () => {
  test('every non-OK status is a retriable failure named grpc:<STATUS>, UNIMPLEMENTED and INVALID_ARGUMENT included', () => {
    assert.deepEqual(classifyGrpcError({ code: 14, details: 'No connection established', message: '14 UNAVAILABLE: No connection established' }), {
      outcome: 'failure',
      retriable: true,
      errorCode: 'grpc:UNAVAILABLE',
      errorMessage: 'No connection established',
    });
    assert.equal(classifyGrpcError({ code: 12, details: '' }).errorCode, 'grpc:UNIMPLEMENTED');
    assert.equal(classifyGrpcError({ code: 12 }).retriable, true);
    assert.equal(classifyGrpcError({ code: 3, details: 'bad' }).errorCode, 'grpc:INVALID_ARGUMENT');
    assert.equal(classifyGrpcError({ code: 16 }).errorCode, 'grpc:UNAUTHENTICATED');
  });

  test('DEADLINE_EXCEEDED is recorded as timeout', () => {
    assert.deepEqual(classifyGrpcError({ code: 4, details: 'Deadline exceeded' }), {
      outcome: 'failure',
      retriable: true,
      errorCode: 'timeout',
      errorMessage: 'Deadline exceeded',
    });
  });

  test('errors without a gRPC status are transport failures, retried', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classifyGrpcError(refused), {
      outcome: 'failure',
      retriable: true,
      errorCode: 'transport:ECONNREFUSED',
      errorMessage: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    assert.equal(classifyGrpcError('boom').errorCode, 'transport');
    assert.equal(classifyGrpcError('boom').errorMessage, 'boom');
    assert.equal(classifyGrpcError({ code: 99 }).errorCode, 'transport');
  });

  test('an EventyardError raised by the dispatcher keeps its own code and retriable flag', () => {
    const refused = new EventyardError(CoreErrors.EY_EGRESS_REFUSED, 'address 10.0.0.1 is in a private range');
    assert.deepEqual(classifyGrpcError(refused), {
      outcome: 'failure',
      retriable: false,
      errorCode: 'EY_EGRESS_REFUSED',
      errorMessage: 'address 10.0.0.1 is in a private range',
    });
  });
});
