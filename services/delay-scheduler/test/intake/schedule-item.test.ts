// Decoding schedule records into timer rows: valid items keep every byte and the event id; everything
// Postgres or Kafka would refuse is rejected with a reason instead of reaching the batch insert.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage } from '@eventyard/proto';
import { isEventId, parseScheduleRecord } from '../../src/intake/schedule-item.ts';

function item(overrides: Record<string, unknown> = {}): Buffer {
  return encodeMessage('eventyard.v1.ScheduleItem', {
    timer_id: 'retry:7320000000000000001:billing:0:2',
    due_at: { seconds: '1800000000', nanos: 1_500_000 },
    target_topic: 'eventyard.deliveries.billing',
    key: Buffer.from('order-7'),
    value: Buffer.from([1, 2, 3]),
    kind: 'retry',
    ...overrides,
  });
}

test('a valid item becomes a timer with its event id, dispatcher id and a due time rounded up', () => {
  const parsed = parseScheduleRecord({ key: null, value: item(), headers: { traceparent: 'tp' } });
  assert.ok(parsed.ok);
  const { timer } = parsed;
  assert.equal(timer.id, 'retry:7320000000000000001:billing:0:2');
  assert.equal(timer.due_at.getTime(), 1_800_000_000_002);
  assert.equal(timer.target_topic, 'eventyard.deliveries.billing');
  assert.equal(timer.dispatcher_id, 'billing');
  assert.equal(timer.event_id, '7320000000000000001');
  assert.deepEqual(timer.headers, { traceparent: 'tp', 'ey-event-id': '7320000000000000001' });
  assert.equal(timer.message_key?.toString(), 'order-7');
  assert.deepEqual([...timer.value], [1, 2, 3]);
  assert.equal(timer.kind, 'retry');
});

test('the event id header wins over the timer id; an empty key is a null key; no kind is "unknown"', () => {
  const parsed = parseScheduleRecord({
    key: null,
    value: item({ timer_id: 'custom', key: Buffer.alloc(0), kind: '', target_topic: 'eventyard.ingest' }),
    headers: { 'ey-event-id': '42' },
  });
  assert.ok(parsed.ok);
  assert.equal(parsed.timer.event_id, '42');
  assert.equal(parsed.timer.message_key, null);
  assert.equal(parsed.timer.kind, 'unknown');
  assert.equal(parsed.timer.dispatcher_id, null);
});

test('garbage is rejected with a reason', () => {
  const cases: Array<[string, Buffer | null, RegExp]> = [
    ['tombstone', null, /empty value/],
    ['not protobuf', Buffer.from([0xff, 0xff, 0xff]), /cannot decode/],
    ['no timer id', item({ timer_id: '' }), /timer_id is empty/],
    ['NUL in timer id', item({ timer_id: 'a\u0000b' }), /NUL/],
    ['long timer id', item({ timer_id: 'x'.repeat(2000) }), /longer than/],
    ['no due time', item({ due_at: null }), /due_at/],
    ['due time out of range', item({ due_at: { seconds: '999999999999', nanos: 0 } }), /due_at/],
    ['bad topic', item({ target_topic: 'a b' }), /target_topic/],
    ['no topic', item({ target_topic: '' }), /target_topic/],
    ['empty record value', item({ value: Buffer.alloc(0) }), /value is empty/],
  ];
  for (const [name, value, reason] of cases) {
    const parsed = parseScheduleRecord({ key: null, value, headers: {} });
    assert.equal(parsed.ok, false, name);
    if (!parsed.ok) assert.match(parsed.reason, reason, name);
  }
});

test('event ids must fit a bigint', () => {
  assert.ok(isEventId('9223372036854775807'));
  assert.ok(!isEventId('9223372036854775808'));
  assert.ok(!isEventId('-1'));
  assert.ok(!isEventId('12a'));
});
