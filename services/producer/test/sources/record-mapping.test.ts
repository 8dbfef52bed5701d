// A source's mapping applied to single records: the Report it makes, and the reason for the records it
// cannot take (which the consumer dead-letters).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSource } from '@eventyard/evhub';
import { mapRecord } from '../../src/sources/record-mapping.ts';

const at = { topic: 'orders', partition: 2, offset: '41' };

test('a record becomes a Report with data, orderingKey, tags, idempotency key and its origin', () => {
  const source = normalizeSource({
    source_id: 's1',
    app_id: 'shop',
    topic_id: 'order',
    topic: 'orders',
    mapping: {
      ordering_key: { from: 'header', header: 'customer' },
      tag_headers: ['region', 'tier', 'absent'],
      idempotency_key: { header: 'msg-id', window_ms: 60_000 },
    },
  });
  const mapped = mapRecord(source, {
    ...at,
    key: Buffer.from('k'),
    value: Buffer.from('{"a":1}'),
    headers: { customer: Buffer.from('c-9'), region: 'eu', tier: [Buffer.from('gold'), Buffer.from('x')], 'msg-id': 'm-1' },
  });
  assert.ok(mapped.ok);
  const { event, option } = mapped.request;
  assert.equal(event?.app_id, 'shop');
  assert.equal(event?.topic_id, 'order');
  assert.equal(event?.data.toString(), '{"a":1}');
  assert.deepEqual(event?.event_comm?.event_tag?.tag_list, ['eu', 'gold']);
  assert.equal(event?.event_comm?.event_source?.source, 'kafka:s1');
  assert.equal(event?.event_comm?.event_source?.qua, 'orders/2/41');
  assert.equal(option?.orderingKey, 'c-9');
  assert.deepEqual(option?.idempotent, { key: 'm-1', idempotent_time: { seconds: '60', nanos: 0 } });
});

test('defaults: JSON data, orderingKey from the record key, no tags, no idempotency key', () => {
  const source = normalizeSource({ source_id: 's2', app_id: 'a', topic_id: 't', topic: 'x' });
  const mapped = mapRecord(source, { ...at, key: Buffer.from('key-1'), value: Buffer.from('[1,2]') });
  assert.ok(mapped.ok);
  assert.equal(mapped.request.option?.orderingKey, 'key-1');
  assert.equal(mapped.request.option?.idempotent, null);
  assert.equal(mapped.request.event?.event_comm?.event_tag, null);
  const keyless = mapRecord(source, { ...at, key: null, value: Buffer.from('1') });
  assert.ok(keyless.ok);
  assert.equal(keyless.request.option?.orderingKey, '', 'no key: the event id orders it');
});

test('records the mapping cannot take name why', () => {
  const json = normalizeSource({
    source_id: 's3',
    app_id: 'a',
    topic_id: 't',
    topic: 'x',
    mapping: { ordering_key: { from: 'header', header: 'k' }, idempotency_key: { header: 'id' } },
  });
  const headers = { k: 'x', id: 'y' };
  const cases: Array<[Parameters<typeof mapRecord>[1], RegExp]> = [
    [{ ...at, key: null, value: Buffer.from('not json'), headers }, /^value is not JSON \(mapping\.data is json\): /],
    [{ ...at, key: null, value: Buffer.from([0x22, 0xff, 0x22]), headers }, /^value is not JSON/],
    [{ ...at, key: null, value: null, headers }, /^value is null \(a tombstone\)/],
    [{ ...at, key: null, value: Buffer.from('{}'), headers: { id: 'y' } }, /^header "k" \(mapping\.ordering_key\) is missing$/],
    [{ ...at, key: null, value: Buffer.from('{}'), headers: { k: 'x', id: ' ' } }, /^header "id" \(mapping\.idempotency_key\) is missing or empty$/],
  ];
  for (const [record, reason] of cases) {
    const mapped = mapRecord(json, record);
    assert.equal(mapped.ok, false);
    assert.match(mapped.ok ? '' : mapped.reason, reason);
  }
  const bytes = normalizeSource({ source_id: 's4', app_id: 'a', topic_id: 't', topic: 'x', mapping: { data: 'bytes' } });
  const binary = mapRecord(bytes, { ...at, key: null, value: Buffer.from([0, 1, 255]) });
  assert.ok(binary.ok, 'bytes takes any value');
  const tombstone = mapRecord(bytes, { ...at, key: null, value: null });
  assert.ok(tombstone.ok && tombstone.request.event?.data.length === 0);
});
