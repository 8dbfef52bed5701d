// Errors of @eventyard/proto's codecs must pass for EventyardErrors: the services decide on
// isEventyardError + code/family/resultCode, and proto cannot import core to throw the real class.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, ResultCode as ProtoResultCode, type MessageTypeName } from '@eventyard/proto';
import { EventyardError, isEventyardError, ResultCode } from '../src/index.ts';

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
  assert.equal(isEventyardError(new EventyardError('internal', 'EY_X', 'x')), true);
});

test('ResultCode is the contract package’s, re-exported', () => {
  assert.equal(ResultCode, ProtoResultCode);
  assert.equal(ResultCode.CANCEL, 30000);
});
