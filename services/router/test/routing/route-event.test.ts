// routeEvent decides per processor: stopped (nothing), filtered (row only), delay-process (timer), or a
// task now; and the event's status from those outcomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import type { ProcessorRecord } from '@eventyard/db';
import { processorRecord } from '@eventyard/db/testing';
import { decodeMessage, EventTriggerType, type IngestEnvelope__Output } from '@eventyard/proto';
import { ProcessorIndex } from '../../src/config-cache/processor-index.ts';
import type { RoutableEnvelope } from '../../src/routing/decode-envelope.ts';
import { routeEvent } from '../../src/routing/route-event.ts';

function processor(dispatcherId: string, extra: Partial<ProcessorRecord> = {}): ProcessorRecord {
  return processorRecord({ dispatcher_id: dispatcherId, ...extra });
}

function envelope(extra: Partial<IngestEnvelope__Output> = {}): RoutableEnvelope {
  return {
    event_id: '1234567890123',
    event: { app_id: 'shop', topic_id: 'order', event_comm: null, data: Buffer.from('{"amount":10}') },
    trigger: null,
    option: null,
    reported_at: { seconds: '1700000000', nanos: 250_000_000 },
    trace_parent: '',
    broadcast: false,
    repeat_times: 0,
    ...extra,
  } as RoutableEnvelope;
}

const NOW = 1_800_000_000_000;
const targets = (...records: ProcessorRecord[]) => ProcessorIndex.build(records).targetsOf('shop', 'order');

test('a matching processor gets a task keyed by event_id when there is no orderingKey', () => {
  const routed = routeEvent(envelope(), targets(processor('a')), NOW);
  assert.equal(routed.status, 'routed');
  assert.equal(routed.records.length, 1);
  const [record] = routed.records;
  assert.equal(record?.topic, Topics.deliveries('a'));
  assert.equal(record?.key.toString(), '1234567890123');
  assert.deepEqual(record?.headers, { 'ey-event-id': '1234567890123' });
  const task = decodeMessage('eventyard.v1.DeliveryTask', record?.value ?? Buffer.alloc(0));
  assert.equal(task.dispatcher_id, 'a');
  assert.equal(task.event?.data.toString(), '{"amount":10}');
  assert.deepEqual(routed.deliveries, [
    { event_id: '1234567890123', dispatcher_id: 'a', app_id: 'shop', topic_id: 'order', repeat_times: 0, status: 'pending' },
  ]);
  assert.equal(routed.event.status, 'routed');
  assert.equal(routed.event.created_at?.getTime(), 1_700_000_000_250);
  assert.equal(routed.event.trigger_type, EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME);
  assert.equal('trigger' in routed.event, false, 'an absent trigger stays SQL NULL');
});

test('each processor gets its own dispatcher_id on a shared encoding of the event', () => {
  const routed = routeEvent(envelope({ repeat_times: 3 }), targets(processor('a'), processor('b')), NOW);
  const tasks = routed.records.map((r) => decodeMessage('eventyard.v1.DeliveryTask', r.value));
  assert.deepEqual(
    tasks.map((t) => [t.dispatcher_id, t.event_id, t.repeat_times, t.retry_times, t.trigger_source]),
    [
      ['a', '1234567890123', 3, 0, 'auto'],
      ['b', '1234567890123', 3, 0, 'auto'],
    ],
  );
});

test('status: filtered when every active processor filters the event, no_subscribers when none is active', () => {
  const filtered = routeEvent(envelope(), targets(processor('a', { filter: { amount: { $gt: 100 } } }), processor('b', { filter_tag: { vip: true } })), NOW);
  assert.equal(filtered.status, 'filtered');
  assert.deepEqual(
    filtered.deliveries.map((d) => [d.dispatcher_id, d.status]),
    [
      ['a', 'filtered'],
      ['b', 'filtered'],
    ],
  );
  assert.equal(filtered.records.length, 0);

  const stopped = routeEvent(envelope(), targets(processor('a', { is_stop: true })), NOW);
  assert.equal(stopped.status, 'no_subscribers');
  assert.deepEqual(stopped.deliveries, []);
  assert.deepEqual(stopped.records, []);

  // Paused holds rather than drops: the task is produced and waits in the topic the dispatcher does not consume.
  const paused = routeEvent(envelope(), targets(processor('a', { is_stop: true }), processor('b', { paused: true })), NOW);
  assert.equal(paused.status, 'routed');
  assert.deepEqual(
    paused.deliveries.map((d) => [d.dispatcher_id, d.status]),
    [['b', 'pending']],
  );
  assert.equal(paused.records.length, 1);

  assert.equal(routeEvent(envelope(), [], NOW).status, 'no_subscribers');
});

test('a processor whose stored filter does not compile matches nothing', () => {
  const routed = routeEvent(envelope(), targets(processor('bad', { filter: { amount: { $gtt: 1 } } }), processor('good')), NOW);
  assert.equal(routed.status, 'routed');
  assert.deepEqual(
    routed.deliveries.map((d) => [d.dispatcher_id, d.status]),
    [
      ['bad', 'filtered'],
      ['good', 'pending'],
    ],
  );
});

test('delay-process: due at reported_at + delay_time for the keyed processor, at once for the others', () => {
  const trigger = {
    trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS,
    delay_trigger: null,
    repeat_trigger: null,
    delay_process_trigger_list: [{ key: 'slow', delay_time: { seconds: '10', nanos: 0 } }],
  };
  const routed = routeEvent(
    envelope({ trigger, option: { idempotent: null, orderingKey: 'user-1' } }),
    targets(processor('keyed', { delay_process_key: 'slow' }), processor('other', { delay_process_key: 'fast' })),
    NOW,
  );
  const dueMs = 1_700_000_000_250 + 10_000;
  assert.deepEqual(
    routed.records.map((r) => [r.topic, r.key.toString()]),
    [
      [Topics.schedule, 'dp:1234567890123:keyed'],
      [Topics.deliveries('other'), 'user-1'],
    ],
  );
  const item = decodeMessage('eventyard.v1.ScheduleItem', routed.records[0]?.value ?? Buffer.alloc(0));
  assert.deepEqual(item.due_at, { seconds: String(Math.floor(dueMs / 1000)), nanos: 250_000_000 });
  assert.equal(item.key.toString(), 'user-1', 'the timer fires the record with the event’s own key');
  assert.equal(decodeMessage('eventyard.v1.DeliveryTask', item.value).dispatcher_id, 'keyed');
  assert.deepEqual(
    routed.deliveries.map((d) => [d.dispatcher_id, d.status, d.next_attempt_at?.getTime()]),
    [
      ['keyed', 'scheduled', dueMs],
      ['other', 'pending', undefined],
    ],
  );
  assert.equal(routed.event.next_due_at?.getTime(), dueMs);
  assert.equal(routed.event.ordering_key, 'user-1');
});

test('the due time falls back to now when the envelope has no reported_at', () => {
  const trigger = {
    trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS,
    delay_trigger: null,
    repeat_trigger: null,
    delay_process_trigger_list: [{ key: 'slow', delay_time: { seconds: '1', nanos: 0 } }],
  };
  const routed = routeEvent(envelope({ trigger, reported_at: null }), targets(processor('keyed', { delay_process_key: 'slow' })), NOW);
  assert.equal(routed.deliveries[0]?.next_attempt_at?.getTime(), NOW + 1000);
  assert.equal(routed.event.created_at, undefined);
});

test('broadcast events go to every processor of the topic and are recorded as broadcast', () => {
  const routed = routeEvent(envelope({ broadcast: true }), targets(processor('a', { owner: 'team-a' }), processor('b', { owner: 'team-b' })), NOW);
  assert.equal(routed.records.length, 2);
  assert.equal(routed.event.broadcast, true);
  assert.equal(routed.event.source, 'broadcast');
});
