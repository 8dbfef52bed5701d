// Repeat events: the router starts one chain per matching processor by scheduling occurrence 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import type { ProcessorRecord } from '@eventyard/db';
import { processorRecord } from '@eventyard/db/testing';
import { decodeMessage, EventTriggerType, type EventTrigger__Output, type IngestEnvelope__Output } from '@eventyard/proto';
import { ProcessorIndex } from '../../src/config-cache/processor-index.ts';
import type { RoutableEnvelope } from '../../src/routing/decode-envelope.ts';
import { routeEvent } from '../../src/routing/route-event.ts';

const REPORTED_MS = 1_700_000_000_250;
const NOW = REPORTED_MS + 5;

function processor(dispatcherId: string, extra: Partial<ProcessorRecord> = {}): ProcessorRecord {
  return processorRecord({ dispatcher_id: dispatcherId, ...extra });
}

function envelope(trigger: EventTrigger__Output | null, extra: Partial<IngestEnvelope__Output> = {}): RoutableEnvelope {
  return {
    event_id: '1234567890123',
    event: { app_id: 'shop', topic_id: 'order', event_comm: null, data: Buffer.from('x') },
    trigger,
    option: null,
    reported_at: { seconds: String(Math.floor(REPORTED_MS / 1000)), nanos: (REPORTED_MS % 1000) * 1e6 },
    trace_parent: '',
    broadcast: false,
    repeat_times: 0,
    ...extra,
  } as RoutableEnvelope;
}

function repeatTrigger(repeat: Partial<NonNullable<EventTrigger__Output['repeat_trigger']>>): EventTrigger__Output {
  return {
    trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT,
    delay_trigger: null,
    delay_process_trigger_list: [],
    repeat_trigger: {
      begin_time: null,
      end_type: 2,
      repeat_end: { repeat_times: 3, end_time: null },
      pulser_type: 1,
      regular_pulser: { interval: { seconds: '1', nanos: 0 } },
      crontab_pulser: null,
      ...repeat,
    },
  };
}

const targets = (...records: ProcessorRecord[]) => ProcessorIndex.build(records).targetsOf('shop', 'order');

test('a repeat event schedules occurrence 0 per matching processor, due at begin_time', () => {
  const beginMs = REPORTED_MS + 60_000;
  const trigger = repeatTrigger({ begin_time: { seconds: String(Math.floor(beginMs / 1000)), nanos: 250_000_000 } });
  const routed = routeEvent(envelope(trigger, { repeat_times: 7 }), targets(processor('a'), processor('b'), processor('stopped', { is_stop: true })), NOW);
  assert.deepEqual(
    routed.records.map((r) => [r.topic, r.key.toString()]),
    [
      [Topics.schedule, 'rep:1234567890123:a:0'],
      [Topics.schedule, 'rep:1234567890123:b:0'],
    ],
  );
  const item = decodeMessage('eventyard.v1.ScheduleItem', routed.records[1]?.value ?? Buffer.alloc(0));
  assert.equal(item.kind, 'repeat');
  assert.equal(item.target_topic, Topics.deliveries('b'));
  assert.equal(item.key.toString(), '1234567890123');
  assert.deepEqual(item.due_at, { seconds: String(Math.floor(beginMs / 1000)), nanos: 250_000_000 });
  const task = decodeMessage('eventyard.v1.DeliveryTask', item.value);
  assert.equal(task.dispatcher_id, 'b');
  assert.equal(task.repeat_times, 0, 'a chain always starts at occurrence 0');
  assert.equal(task.retry_times, 0);
  assert.deepEqual(task.scheduled_for, item.due_at, 'the task carries its due time, the base of the next occurrence');
  assert.deepEqual(
    routed.deliveries.map((d) => [d.dispatcher_id, d.status, d.repeat_times, d.next_attempt_at?.getTime()]),
    [
      ['a', 'scheduled', 0, beginMs],
      ['b', 'scheduled', 0, beginMs],
    ],
  );
  assert.equal(routed.status, 'routed');
  assert.equal(routed.event.trigger_type, EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT);
  assert.equal(routed.event.next_due_at?.getTime(), beginMs);
});

test('without begin_time the first occurrence is due at reported_at (fires at once); a filtered processor gets none', () => {
  const routed = routeEvent(envelope(repeatTrigger({})), targets(processor('a'), processor('picky', { filter_tag: { vip: true } })), NOW);
  assert.deepEqual(
    routed.records.map((r) => r.key.toString()),
    ['rep:1234567890123:a:0'],
  );
  assert.deepEqual(
    routed.deliveries.map((d) => [d.dispatcher_id, d.status]),
    [
      ['a', 'scheduled'],
      ['picky', 'filtered'],
    ],
  );
  assert.equal(routed.deliveries[0]?.next_attempt_at?.getTime(), REPORTED_MS);
});

test('a cron repeat starts at the first cron time at or after begin', () => {
  const routed = routeEvent(envelope(repeatTrigger({ pulser_type: 2, crontab_pulser: { crontab: '0 * * * *' } })), targets(processor('a')), NOW);
  const hour = 3_600_000;
  assert.equal(routed.deliveries[0]?.next_attempt_at?.getTime(), Math.ceil(REPORTED_MS / hour) * hour);
});

test('a chain whose end_time is already past has no occurrence: the delivery is recorded cancelled', () => {
  const routed = routeEvent(
    envelope(repeatTrigger({ end_type: 1, repeat_end: { repeat_times: 0, end_time: { seconds: '1000', nanos: 0 } } })),
    targets(processor('a')),
    NOW,
  );
  assert.deepEqual(routed.records, []);
  assert.deepEqual(
    routed.deliveries.map((d) => d.status),
    ['cancelled'],
  );
});

test('a repeat trigger that cannot be scheduled is delivered once, as real-time', () => {
  const routed = routeEvent(envelope(repeatTrigger({ pulser_type: 0 })), targets(processor('a')), NOW);
  assert.deepEqual(
    routed.records.map((r) => r.topic),
    [Topics.deliveries('a')],
  );
  assert.deepEqual(
    routed.deliveries.map((d) => d.status),
    ['pending'],
  );
});
