// The eventyard.status record shape: builders give schema-valid JSON in the documented field order,
// `final` follows the status, records are keyed by event_id (processor changes by dispatcher_id), and
// the parser refuses what is not a known version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryStatusChange, MAX_STATUS_ERROR_CHARS, parseStatusChange, processorStateChange, statusChangeRecord } from '../../src/index.ts';

test('a delivery change: documented fields in order, final from the status, keyed by event_id', () => {
  const at = new Date('2026-12-06T10:00:00.000Z');
  const change = deliveryStatusChange({
    event_id: '42',
    app_id: 'shop',
    topic_id: 'order',
    dispatcher_id: 'billing',
    status: 'scheduled',
    attempt: 1,
    at,
    error: 'x'.repeat(5000),
    next_attempt_at: new Date(at.getTime() + 1000),
  });
  assert.deepEqual(Object.keys(change), [
    'v',
    'kind',
    'event_id',
    'app_id',
    'topic_id',
    'dispatcher_id',
    'status',
    'attempt',
    'at',
    'error',
    'next_attempt_at',
    'final',
  ]);
  assert.equal(change.final, false);
  assert.equal(change.error?.length, MAX_STATUS_ERROR_CHARS);
  const record = statusChangeRecord(change);
  assert.equal(record.topic, 'eventyard.status');
  assert.equal(record.key.toString(), '42');
  assert.deepEqual(parseStatusChange(record.value), change);
  for (const status of ['succeeded', 'dead', 'filtered', 'cancelled', 'no_subscribers', 'rejected'] as const) {
    assert.equal(deliveryStatusChange({ event_id: '1', app_id: 'a', topic_id: 't', dispatcher_id: null, status }).final, true, status);
  }
  for (const status of ['pending', 'scheduled', 'delivering', 'failed'] as const) {
    assert.equal(deliveryStatusChange({ event_id: '1', app_id: 'a', topic_id: 't', dispatcher_id: 'p', status }).final, false, status);
  }
});

test('a processor change is keyed by dispatcher_id', () => {
  const change = processorStateChange({ dispatcher_id: 'billing', state: 'open', reason: '5 failures in a row' });
  assert.equal(statusChangeRecord(change).key.toString(), 'billing');
  assert.deepEqual(parseStatusChange(JSON.stringify(change)), change);
});

test('what is not a known change is refused', () => {
  assert.equal(parseStatusChange(null), undefined);
  assert.equal(parseStatusChange('not json'), undefined);
  assert.equal(parseStatusChange(JSON.stringify({ v: 2, kind: 'delivery' })), undefined);
  const valid = deliveryStatusChange({ event_id: '1', app_id: 'a', topic_id: 't', dispatcher_id: 'p', status: 'pending' });
  assert.equal(parseStatusChange(JSON.stringify({ ...valid, status: 'exploded' })), undefined);
  assert.equal(parseStatusChange(JSON.stringify({ ...valid, event_id: 'abc' })), undefined);
});
