// Errors of @eventyard/proto's codecs must pass for EventyardErrors: the services decide on
// isEventyardError + code/family/resultCode, and proto cannot import core to throw the real class.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, ResultCode as ProtoResultCode, type MessageTypeName } from '@eventyard/proto';
import { ConfigError, CoreErrors, defineErrorCodes, EventyardError, isEventyardError, ResultCode, TimeoutError, ValidationError } from '../src/index.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('isEventyardError recognises every codec error, with the fields an EventyardError has', () => {
  const cases: Array<[string, unknown]> = [
    ['EY_PROTO_DECODE_FAILED', thrown(() => decodeMessage('evhub_processor.DispatchReq', Buffer.from([0x18])))],
    ['EY_PROTO_ENCODE_FAILED', thrown(() => encodeMessage('evhub_producer.ReportReq', { event: 'not a message' } as never))],
    ['EY_PROTO_UNKNOWN_TYPE', thrown(() => decodeMessage('evhub_comm.NoSuchType' as MessageTypeName, Buffer.alloc(0)))],
  ];
  for (const [code, err] of cases) {
    assert.ok(isEventyardError(err), `${code}: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.family, 'protocol');
    assert.equal(err.retriable, false);
    assert.equal(err.resultCode, ResultCode.SYSTEM_ERROR);
    assert.equal(typeof err.context.type, 'string');
    // Serialised like any EventyardError (the logger and the admin API read these fields).
    assert.deepEqual(Object.keys(err.toJSON()).slice(0, 5), ['name', 'code', 'family', 'message', 'retriable']);
  }
  assert.equal(isEventyardError(new Error('plain')), false);
  assert.equal(isEventyardError(new EventyardError(CoreErrors.EY_INVALID_STATE, 'x')), true);
});

test('ResultCode is the contract package’s, re-exported', () => {
  assert.equal(ResultCode, ProtoResultCode);
  assert.equal(ResultCode.CANCEL, 30000);
});

test('an error built from a table row takes its code, family, status, ret.code and retriable from the row', () => {
  const table = defineErrorCodes({
    EY_TEST_BUSY: {
      family: 'timeout',
      http: 503,
      resultCode: ResultCode.PUBLISH_FAILED,
      retriable: true,
      transport: 'UNAVAILABLE',
      raisedBy: 'test',
      meaning: 'busy',
    },
  } as const);
  assert.equal(table.EY_TEST_BUSY.code, 'EY_TEST_BUSY');
  assert.ok(Object.isFrozen(table) && Object.isFrozen(table.EY_TEST_BUSY));
  const err = new TimeoutError(table.EY_TEST_BUSY, 'no answer', { context: { topic: 't' } });
  assert.deepEqual(
    [err.name, err.code, err.family, err.httpStatus, err.resultCode, err.retriable, err.transport, err.message, err.context],
    ['TimeoutError', 'EY_TEST_BUSY', 'timeout', 503, ResultCode.PUBLISH_FAILED, true, 'UNAVAILABLE', 'no answer', { topic: 't' }],
  );
  const invalid = new ValidationError(CoreErrors.EY_INVALID_NODE_ID, 'bad');
  assert.deepEqual([invalid.httpStatus, invalid.resultCode, invalid.retriable, invalid.transport], [400, ResultCode.INVALID_PARAMETER, false, undefined]);
});

// Every package builds its errors from a table row; a bare code string (the form of before the tables)
// no longer compiles, and a subclass takes only rows of its own family. Checked by the typecheck: an
// unneeded @ts-expect-error is itself an error.
test('errors are built from table rows only, of the subclass’s family', () => {
  const refused = [
    // @ts-expect-error a bare code is not a row
    () => new ConfigError('EY_TEST_CONFIG', 'x'),
    // @ts-expect-error a bare code is not a row
    () => new ValidationError('EY_TEST_INVALID', 'x'),
    // @ts-expect-error a bare code is not a row
    () => new TimeoutError('EY_TEST_TIMEOUT', 'x'),
    // @ts-expect-error the old form (family, code, message) is gone
    () => new EventyardError('delivery', 'EY_TEST_DELIVERY', 'x'),
    // @ts-expect-error a config row is not a validation error
    () => new ValidationError(CoreErrors.EY_CONFIG_INVALID, 'x'),
  ];
  void refused; // never run: what is checked is that each line fails to compile
  const config = new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'x', { context: { variables: ['EY_X'] } });
  assert.deepEqual(
    [config.name, config.family, config.httpStatus, config.resultCode, config.retriable, config.context],
    ['ConfigError', 'config', 400, ResultCode.SYSTEM_ERROR, false, { variables: ['EY_X'] }],
  );
});
