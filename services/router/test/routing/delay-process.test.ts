// delayProcessMs: only delay-process events, only a non-empty key equal to an entry's, only a positive delay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTriggerType, type EventTrigger__Output } from '@eventyard/proto';
import { delayProcessMs, MAX_DELAY_PROCESS_MS } from '../../src/routing/delay-process.ts';

const trigger = (type: number, list: EventTrigger__Output['delay_process_trigger_list']): EventTrigger__Output => ({
  trigger_type: type as EventTrigger__Output['trigger_type'],
  delay_trigger: null,
  repeat_trigger: null,
  delay_process_trigger_list: list,
});
const DP = EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS;

test('a matching key gets the entry’s delay; the first matching entry wins', () => {
  const t = trigger(DP, [
    { key: 'a', delay_time: { seconds: '2', nanos: 500_000_000 } },
    { key: 'a', delay_time: { seconds: '9', nanos: 0 } },
  ]);
  assert.equal(delayProcessMs(t, 'a'), 2500);
});

test('at once: no trigger, another trigger type, empty or unmatched key, absent or non-positive delay', () => {
  const list = [
    { key: 'a', delay_time: { seconds: '5', nanos: 0 } },
    { key: '', delay_time: { seconds: '5', nanos: 0 } },
    { key: 'none', delay_time: null },
    { key: 'neg', delay_time: { seconds: '-5', nanos: 0 } },
    { key: 'zero', delay_time: { seconds: '0', nanos: 0 } },
  ];
  assert.equal(delayProcessMs(null, 'a'), 0);
  assert.equal(delayProcessMs(trigger(EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME, list), 'a'), 0);
  assert.equal(delayProcessMs(trigger(DP, list), ''), 0, 'an empty processor key matches nothing, not even an empty entry key');
  assert.equal(delayProcessMs(trigger(DP, list), 'b'), 0);
  assert.equal(delayProcessMs(trigger(DP, list), 'none'), 0);
  assert.equal(delayProcessMs(trigger(DP, list), 'neg'), 0);
  assert.equal(delayProcessMs(trigger(DP, list), 'zero'), 0);
});

test('an absurd delay is capped', () => {
  assert.equal(delayProcessMs(trigger(DP, [{ key: 'a', delay_time: { seconds: '315576000000', nanos: 0 } }]), 'a'), MAX_DELAY_PROCESS_MS);
});
