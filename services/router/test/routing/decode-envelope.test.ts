// decodeEnvelope refuses every record that could not be routed or stored, with a fixed reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage, type IngestEnvelope } from '@eventyard/proto';
import { decodeEnvelope } from '../../src/routing/decode-envelope.ts';

const valid: IngestEnvelope = { event_id: '42', event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('x') } };
const encode = (e: IngestEnvelope) => encodeMessage('eventyard.v1.IngestEnvelope', e);
const reason = (value: Buffer | null) => {
  const result = decodeEnvelope(value);
  return result.ok ? 'ok' : result.reason;
};

test('a valid envelope decodes', () => {
  const result = decodeEnvelope(encode(valid));
  assert.equal(result.ok, true);
  assert.equal(result.ok && result.envelope.event.app_id, 'shop');
});

test('each kind of bad record gets its reason', () => {
  assert.equal(reason(null), 'empty');
  assert.equal(reason(Buffer.alloc(0)), 'empty');
  assert.equal(reason(Buffer.from([0xff, 0xff, 0xff])), 'not_protobuf');
  assert.equal(reason(encode({ ...valid, event_id: '' })), 'bad_event_id');
  assert.equal(reason(encode({ ...valid, event_id: 'abc' })), 'bad_event_id');
  assert.equal(reason(encode({ ...valid, event_id: '0' })), 'bad_event_id');
  assert.equal(reason(encode({ ...valid, event_id: '9223372036854775808' })), 'bad_event_id', 'beyond bigint');
  assert.equal(reason(encode({ ...valid, event_id: '9223372036854775807' })), 'ok');
  assert.equal(reason(encode({ event_id: '42' })), 'no_event');
  assert.equal(reason(encode({ ...valid, event: { app_id: '', topic_id: 'order' } })), 'no_app_or_topic');
  assert.equal(reason(encode({ ...valid, event: { app_id: 'shop', topic_id: '' } })), 'no_app_or_topic');
  assert.equal(reason(encode({ ...valid, event: { app_id: 'sh\u0000op', topic_id: 'order' } })), 'unstorable_text');
  assert.equal(reason(encode({ ...valid, event: { ...valid.event, event_comm: { event_tag: { tag_list: ['a\u0000'] } } } })), 'unstorable_text');
  assert.equal(
    reason(encode({ ...valid, event: { ...valid.event, event_comm: { event_tag: { tag_list: ['a\ud800'] } } } })),
    'not_protobuf',
    'an unpaired surrogate is not UTF-8: such a record does not even decode',
  );
  assert.equal(reason(encode({ ...valid, event: { ...valid.event, data: Buffer.from([0, 0, 0]) } })), 'ok', 'NUL bytes in data are fine (bytea)');
});
