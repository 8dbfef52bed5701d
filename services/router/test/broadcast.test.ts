// Broadcast events: a task for every active processor of the topic, whatever their filters, none for
// stopped ones, produced in batches of EY_BROADCAST_BATCH_SIZE broadcast tasks (counted by the router's
// own metrics); delay-process still applies per processor. Normal events are untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { upsertProcessor, type ProcessorInput } from '@eventyard/db';
import { decodeMessage, EventTriggerType } from '@eventyard/proto';
import type { Registry } from 'prom-client';
import { nextEventId, startRouter, timestampOf } from './fixture.ts';

const processor = (dispatcherId: string, extra: Partial<ProcessorInput> = {}): ProcessorInput => ({
  dispatcher_id: dispatcherId,
  app_id: 'news',
  topic_id: 'announce',
  protocol_type: 'grpcSend',
  addr: '127.0.0.1:1',
  ...extra,
});

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

test('a broadcast reaches every active processor despite filters, in batches', async (t) => {
  // Batches of 2, paced (5 tasks at 1000/s beyond a burst of 2: a few ms, never asserted).
  const f = await startRouter(t, { EY_BROADCAST_BATCH_SIZE: '2', EY_BROADCAST_RATE_PER_S: '1000', EY_CONFIG_RELOAD_MS: '600000' });
  const { knex } = f.db;
  await upsertProcessor(knex, processor('b-amount', { filter: { amount: { $gte: 100 } } }));
  await upsertProcessor(knex, processor('b-region', { filter: { region: { $in: ['eu'] } } }));
  await upsertProcessor(knex, processor('b-vip', { filter_tag: { vip: true } }));
  await upsertProcessor(knex, processor('b-not-test', { filter_tag: { test: false } }));
  await upsertProcessor(knex, processor('b-plain'));
  await upsertProcessor(knex, processor('b-stopped', { is_stop: true }));
  await upsertProcessor(knex, { ...processor('b-other-topic'), topic_id: 'other' });
  await f.app.reloadConfig();
  const active = ['b-amount', 'b-not-test', 'b-plain', 'b-region', 'b-vip'];
  const event = { app_id: 'news', topic_id: 'announce', event_comm: { event_tag: { tag_list: ['test'] } }, data: Buffer.from('{"amount":1,"region":"us"}') };

  // The same event, not broadcast: only the unfiltered processor takes it.
  const plainId = nextEventId();
  await f.ingest([{ event_id: plainId, event }]);
  const plain = await f.waitForEvent(plainId);
  assert.deepEqual(
    plain.deliveries.filter((d) => d.status === 'pending').map((d) => d.dispatcher_id),
    ['b-plain'],
    'the filters would drop it for everyone else',
  );
  assert.equal(plain.event.broadcast, false);
  await f.drained();
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_batches_total'), 0, 'a normal event is no broadcast batch');

  const eventId = nextEventId();
  await f.ingest([{ event_id: eventId, event, broadcast: true, api_key_id: 'key123', reported_at: timestampOf(Date.now()) }]);
  const routed = await f.waitForEvent(eventId);
  assert.equal(routed.event.status, 'routed');
  assert.equal(routed.event.broadcast, true);
  assert.equal(routed.event.source, 'broadcast');
  assert.equal(routed.event.api_key_id, 'key123');
  assert.deepEqual(
    routed.deliveries.map((d) => [d.dispatcher_id, d.status]),
    active.map((id) => [id, 'pending']),
    'every active processor, none for the stopped one',
  );
  for (const dispatcherId of active) {
    const records = await f.readTopic(Topics.deliveries(dispatcherId), (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    const record = records.find((r) => r.headers['ey-event-id'] === eventId);
    assert.ok(record, `a task for ${dispatcherId}`);
    const task = decodeMessage('eventyard.v1.DeliveryTask', record.value);
    assert.equal(task.dispatcher_id, dispatcherId);
    assert.equal(task.event?.data.toString(), '{"amount":1,"region":"us"}');
  }
  await f.drained();
  assert.equal(await f.countRecords(Topics.deliveries('b-stopped')), 0);
  assert.equal(await f.countRecords(Topics.deliveries('b-other-topic')), 0);
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_events_total'), 1);
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_tasks_total'), 5);
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_batches_total'), 3, '5 tasks in batches of 2');
});

test('a delay-process broadcast: the keyed processor gets a timer, filters still ignored', async (t) => {
  const f = await startRouter(t, { EY_BROADCAST_BATCH_SIZE: '500', EY_BROADCAST_RATE_PER_S: '0' });
  const { knex } = f.db;
  await upsertProcessor(knex, processor('d-slow', { delay_process_key: 'slow', filter: { never: { $eq: 'x' } } }));
  await upsertProcessor(knex, processor('d-now', { filter_tag: { absent: true } }));
  await f.app.reloadConfig();
  const eventId = nextEventId();
  const reportedMs = Date.now();
  await f.ingest([
    {
      event_id: eventId,
      event: { app_id: 'news', topic_id: 'announce', data: Buffer.from('{}') },
      trigger: {
        trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS,
        delay_process_trigger_list: [{ key: 'slow', delay_time: { seconds: 60, nanos: 0 } }],
      },
      reported_at: timestampOf(reportedMs),
      broadcast: true,
    },
  ]);
  const { deliveries } = await f.waitForEvent(eventId);
  assert.deepEqual(
    deliveries.map((d) => [d.dispatcher_id, d.status, d.next_attempt_at?.getTime() ?? null]),
    [
      ['d-now', 'pending', null],
      ['d-slow', 'scheduled', reportedMs + 60_000],
    ],
  );
  const schedule = await f.readTopic(Topics.schedule, (rs) => rs.some((r) => r.key === `dp:${eventId}:d-slow`));
  assert.ok(
    schedule.some((r) => r.key === `dp:${eventId}:d-slow`),
    'the delay-process timer',
  );
  await f.drained();
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_tasks_total'), 2, 'the task and the timer');
  assert.equal(await counter(f.app.registry, 'eventyard_router_broadcast_batches_total'), 1);
});
