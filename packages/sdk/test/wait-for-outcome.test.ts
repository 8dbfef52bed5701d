// waitForOutcome's own type of a status change is the record shape defined in @eventyard/evhub (the SDK
// cannot import it: it installs no server libraries). Checked both ways at compile time and on a sample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryStatusChange, parseStatusChange, type DeliveryStatusChange as EvhubChange } from '@eventyard/evhub';
import type { DeliveryStatusChange as SdkChange } from '../src/index.ts';

test("the SDK's DeliveryStatusChange is the evhub record shape", () => {
  const fromEvhub: EvhubChange = deliveryStatusChange({
    event_id: '7',
    app_id: 'a',
    topic_id: 't',
    dispatcher_id: 'p',
    status: 'dead',
    attempt: 3,
    error: '500: no',
  });
  const asSdk: SdkChange = fromEvhub;
  // Every field the SDK promises is one the schema has (the SDK's `status` is a plain string).
  const back: Omit<EvhubChange, 'status'> = { ...asSdk };
  assert.deepEqual(parseStatusChange(JSON.stringify({ ...back, status: asSdk.status })), fromEvhub);
});
