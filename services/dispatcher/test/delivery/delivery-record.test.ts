// decodeDeliveryTask: a task the dispatcher could deliver but never record (an event_id the history's
// bigint columns refuse) is a bad record, dead-lettered and skipped, not a delivery whose write fails forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { encodeMessage } from '@eventyard/proto';
import { decodeDeliveryTask } from '../../src/delivery/delivery-record.ts';
import { DispatcherErrors } from '../../src/error-codes.ts';

const encoded = (eventId: string) =>
  encodeMessage('eventyard.v1.DeliveryTask', { event_id: eventId, dispatcher_id: 'billing', event: { app_id: 'shop', topic_id: 'order' } });
const isBadRecord = (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_BAD_RECORD.code && !err.retriable;

test('event ids of the producer (64-bit, non-negative) decode', () => {
  assert.equal(decodeDeliveryTask(encoded('7320000000000000042'), 'billing').event_id, '7320000000000000042');
  assert.equal(decodeDeliveryTask(encoded('9223372036854775807'), 'billing').event_id, '9223372036854775807');
  assert.equal(decodeDeliveryTask(encoded('1'), 'other').dispatcher_id, 'other');
});

test('an event_id the history could not store is a bad record', () => {
  for (const eventId of ['9223372036854775808', '99999999999999999999', '-1', 'abc', '12a', ' 1', '1\u0000']) {
    assert.throws(() => decodeDeliveryTask(encoded(eventId), 'billing'), isBadRecord, JSON.stringify(eventId));
  }
  assert.throws(() => decodeDeliveryTask(encoded(''), 'billing'), isBadRecord);
  assert.throws(() => decodeDeliveryTask(Buffer.alloc(0), 'billing'), isBadRecord);
});
