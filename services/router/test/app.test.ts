// The router in-process against the project's broker and a fresh database: envelopes put on
// eventyard.ingest come out as DeliveryTasks on each matching processor's topic (or as delay-process
// timers on eventyard.schedule), and every event and per-processor outcome is in Postgres.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { upsertProcessor, type ProcessorInput } from '@eventyard/db';
import { decodeMessage, EventTriggerType } from '@eventyard/proto';
import { nextEventId, startRouter, timestampOf, waitFor } from './fixture.ts';

const processor = (dispatcherId: string, appId: string, topicId: string, extra: Partial<ProcessorInput> = {}): ProcessorInput => ({
  dispatcher_id: dispatcherId,
  app_id: appId,
  topic_id: topicId,
  protocol_type: 'grpcSend',
  addr: '127.0.0.1:1',
  ...extra,
});

test('router', async (t) => {
  // A periodic reload too slow to matter: config changes must arrive through LISTEN/NOTIFY.
  const f = await startRouter(t, { EY_CONFIG_RELOAD_MS: '600000' });
  const { knex } = f.db;
  await upsertProcessor(knex, processor('big-orders', 'shop', 'order', { filter: { amount: { $gte: 100 } } }));
  await upsertProcessor(knex, processor('vip-orders', 'shop', 'order', { filter_tag: { vip: true } }));
  await upsertProcessor(knex, processor('payments', 'shop', 'payment'));
  await f.app.reloadConfig();

  await t.test('an event reaches every matching processor as a DeliveryTask, and is recorded routed', async () => {
    const eventId = nextEventId();
    const reportedMs = Date.now();
    await f.ingest([
      {
        event_id: eventId,
        event: { app_id: 'shop', topic_id: 'order', event_comm: { event_tag: { tag_list: ['vip'] } }, data: Buffer.from('{"amount":250}') },
        option: { orderingKey: 'customer-7' },
        reported_at: timestampOf(reportedMs),
        trace_parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    ]);
    const { event, deliveries } = await f.waitForEvent(eventId);
    assert.equal(event.status, 'routed');
    assert.equal(event.app_id, 'shop');
    assert.equal(event.ordering_key, 'customer-7');
    assert.equal(Buffer.from(event.payload ?? '').toString(), '{"amount":250}');
    assert.equal(event.created_at.getTime(), reportedMs);
    // No exporter configured here: the trace is still carried on and its id stored with the event.
    assert.equal(event.trace_id, '0af7651916cd43dd8448eb211c80319c');
    assert.deepEqual(
      deliveries.map((d) => [d.dispatcher_id, d.status]),
      [
        ['big-orders', 'pending'],
        ['vip-orders', 'pending'],
      ],
    );
    for (const dispatcherId of ['big-orders', 'vip-orders']) {
      const [record] = await f.readTopic(Topics.deliveries(dispatcherId), (r) => r.length >= 1);
      assert.ok(record, `a task on ${dispatcherId}'s topic`);
      assert.equal(record.key, 'customer-7');
      assert.equal(record.headers['ey-event-id'], eventId);
      assert.equal(record.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      const task = decodeMessage('eventyard.v1.DeliveryTask', record.value);
      assert.equal(task.event_id, eventId);
      assert.equal(task.dispatcher_id, dispatcherId);
      assert.equal(task.retry_times, 0);
      assert.equal(task.repeat_times, 0);
      assert.equal(task.pass_back.length, 0);
      assert.equal(task.trigger_source, 'auto');
      assert.equal(task.trace_parent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.equal(task.event?.app_id, 'shop');
      assert.equal(task.event?.data.toString(), '{"amount":250}');
      assert.deepEqual(task.event?.event_comm?.event_tag?.tag_list, ['vip']);
      assert.equal(task.scheduled_for, null);
    }
    await f.drained();
    assert.equal(await f.countRecords(Topics.deliveries('payments')), 0, 'another topic’s processor gets nothing');
  });

  await t.test('an event every processor filters out is recorded filtered, with a filtered row each', async () => {
    const eventId = nextEventId();
    await f.ingest([{ event_id: eventId, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{"amount":5}') } }]);
    const { event, deliveries } = await f.waitForEvent(eventId);
    assert.equal(event.status, 'filtered');
    assert.deepEqual(
      deliveries.map((d) => [d.dispatcher_id, d.status]),
      [
        ['big-orders', 'filtered'],
        ['vip-orders', 'filtered'],
      ],
    );
  });

  await t.test('an event of a topic nobody subscribes to is recorded no_subscribers', async () => {
    const eventId = nextEventId();
    await f.ingest([{ event_id: eventId, event: { app_id: 'shop', topic_id: 'nobody-listens', data: Buffer.from('x') } }]);
    const { event, deliveries } = await f.waitForEvent(eventId);
    assert.equal(event.status, 'no_subscribers');
    assert.deepEqual(deliveries, []);
  });

  await t.test('delay-process: the keyed processor gets a timer on eventyard.schedule, the others their task at once', async () => {
    await upsertProcessor(knex, processor('dp-slow', 'shop', 'dp', { delay_process_key: 'slow' }));
    await upsertProcessor(knex, processor('dp-unmatched', 'shop', 'dp', { delay_process_key: 'not-in-the-list' }));
    await upsertProcessor(knex, processor('dp-plain', 'shop', 'dp'));
    await f.app.reloadConfig();
    const eventId = nextEventId();
    const reportedMs = Date.now();
    await f.ingest([
      {
        event_id: eventId,
        event: { app_id: 'shop', topic_id: 'dp', data: Buffer.from('{}') },
        trigger: {
          trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS,
          delay_process_trigger_list: [
            { key: 'fast', delay_time: { seconds: 5, nanos: 0 } },
            { key: 'slow', delay_time: { seconds: 30, nanos: 500_000_000 } },
          ],
        },
        reported_at: timestampOf(reportedMs),
      },
    ]);
    const { event, deliveries } = await f.waitForEvent(eventId);
    const dueMs = reportedMs + 30_500;
    assert.equal(event.status, 'routed');
    assert.equal(event.trigger_type, EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS);
    assert.deepEqual(
      deliveries.map((d) => [d.dispatcher_id, d.status, d.next_attempt_at?.getTime() ?? null]),
      [
        ['dp-plain', 'pending', null],
        ['dp-slow', 'scheduled', dueMs],
        ['dp-unmatched', 'pending', null],
      ],
    );
    const schedule = await f.readTopic(Topics.schedule, (r) => r.some((x) => x.key === `dp:${eventId}:dp-slow`));
    const record = schedule.find((x) => x.key === `dp:${eventId}:dp-slow`);
    assert.ok(record, 'a delay-process timer on eventyard.schedule');
    assert.equal(record.headers['ey-event-id'], eventId);
    const item = decodeMessage('eventyard.v1.ScheduleItem', record.value);
    assert.equal(item.timer_id, `dp:${eventId}:dp-slow`);
    assert.equal(item.kind, 'delay_process');
    assert.equal(item.target_topic, Topics.deliveries('dp-slow'));
    assert.equal(item.key.toString(), eventId);
    assert.equal(Number(item.due_at?.seconds) * 1000 + Math.floor((item.due_at?.nanos ?? 0) / 1e6), dueMs);
    const task = decodeMessage('eventyard.v1.DeliveryTask', item.value);
    assert.equal(task.event_id, eventId);
    assert.equal(task.dispatcher_id, 'dp-slow');
    assert.equal(task.retry_times, 0);
    assert.deepEqual(task.scheduled_for, item.due_at);
    for (const dispatcherId of ['dp-plain', 'dp-unmatched']) {
      const [now] = await f.readTopic(Topics.deliveries(dispatcherId), (r) => r.length >= 1);
      assert.equal(now && decodeMessage('eventyard.v1.DeliveryTask', now.value).event_id, eventId, `${dispatcherId} gets it at once`);
    }
    await f.drained();
    assert.equal(await f.countRecords(Topics.deliveries('dp-slow')), 0, 'the keyed processor gets nothing yet');
  });

  await t.test('a stopped processor gets neither a task nor a delivery row', async () => {
    await upsertProcessor(knex, processor('stop-active', 'shop', 'stop'));
    await upsertProcessor(knex, processor('stop-stopped', 'shop', 'stop', { is_stop: true }));
    await upsertProcessor(knex, processor('stop-alone', 'shop', 'stop-only', { is_stop: true }));
    await f.app.reloadConfig();
    const routed = nextEventId();
    const alone = nextEventId();
    await f.ingest([
      { event_id: routed, event: { app_id: 'shop', topic_id: 'stop', data: Buffer.from('1') } },
      { event_id: alone, event: { app_id: 'shop', topic_id: 'stop-only', data: Buffer.from('2') } },
    ]);
    const first = await f.waitForEvent(routed);
    assert.equal(first.event.status, 'routed');
    assert.deepEqual(
      first.deliveries.map((d) => d.dispatcher_id),
      ['stop-active'],
    );
    const second = await f.waitForEvent(alone);
    assert.equal(second.event.status, 'no_subscribers', 'a topic whose only processor is stopped has no subscribers');
    assert.deepEqual(second.deliveries, []);
    // Every round so far has been produced and committed: nothing more can come.
    await f.drained();
    assert.equal(await f.countRecords(Topics.deliveries('stop-stopped')), 0);
    assert.equal(await f.countRecords(Topics.deliveries('stop-alone')), 0);
  });

  await t.test('a processor added while the router runs receives events within seconds, without a restart', async () => {
    await upsertProcessor(knex, processor('late-joiner', 'shop', 'late'));
    // No reloadConfig(): the NOTIFY from the upsert must reach the router by itself.
    let reached: string | undefined;
    await waitFor(
      async () => {
        const eventId = nextEventId();
        await f.ingest([{ event_id: eventId, event: { app_id: 'shop', topic_id: 'late', data: Buffer.from('hi') } }]);
        const { deliveries } = await f.waitForEvent(eventId);
        if (deliveries.some((d) => d.dispatcher_id === 'late-joiner' && d.status === 'pending')) reached = eventId;
        return reached !== undefined;
      },
      5000,
      'the new processor to receive an event',
    );
    const records = await f.readTopic(Topics.deliveries('late-joiner'), (r) => r.some((x) => x.headers['ey-event-id'] === reached));
    assert.ok(records.some((x) => x.headers['ey-event-id'] === reached));
  });

  await t.test('garbage on ingest is dead-lettered and counted; the next event still routes', async () => {
    const eventId = nextEventId();
    const noApp = nextEventId();
    await f.ingestRaw(Buffer.from([0xff, 0xff, 0xff, 0xff]), 'k');
    await f.ingestRaw(Buffer.from('not an envelope at all'), 'k');
    await f.ingest([{ event_id: 'not-a-number', event: { app_id: 'shop', topic_id: 'payment', data: Buffer.from('x') }, option: { orderingKey: 'k' } }]);
    await f.ingest([{ event_id: noApp, event: { app_id: '', topic_id: 'payment', data: Buffer.from('x') }, option: { orderingKey: 'k' } }]);
    await f.ingest([{ event_id: eventId, event: { app_id: 'shop', topic_id: 'payment', data: Buffer.from('ok') }, option: { orderingKey: 'k' } }]);
    const { event, deliveries } = await f.waitForEvent(eventId);
    assert.equal(event.status, 'routed');
    assert.deepEqual(
      deliveries.map((d) => [d.dispatcher_id, d.status]),
      [['payments', 'pending']],
    );
    const metrics = await f.app.registry.metrics();
    const failures = [...metrics.matchAll(/^eventyard_router_decode_failures_total\{reason="(\w+)".*\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(Object.fromEntries(failures), { not_protobuf: 2, bad_event_id: 1, no_app_or_topic: 1 });
    const dead = await f.readTopic(Topics.dead, (records) => records.filter((r) => r.headers['eventyard-source-topic'] === Topics.ingest).length >= 4);
    assert.deepEqual(
      dead.filter((r) => r.headers['eventyard-source-topic'] === Topics.ingest).map((r) => r.headers['ey-error-code']),
      ['EY_INGEST_RECORD_INVALID', 'EY_INGEST_RECORD_INVALID', 'EY_INGEST_RECORD_INVALID', 'EY_INGEST_RECORD_INVALID'],
      'each on the dead-letter topic, in ingest order (one key, one partition)',
    );
    const rejected = await f.waitForEvent(noApp);
    assert.equal(rejected.event.status, 'rejected', 'an event with a readable id answers GET /v1/events/:id');
    assert.equal(rejected.event.status_reason, 'event.app_id and event.topic_id are required');
  });

  await t.test('events of one ordering key reach the delivery topic in ingest order', async () => {
    await upsertProcessor(knex, processor('ordered', 'shop', 'ordered'));
    await f.app.reloadConfig();
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const sent = new Map<string, string[]>(keys.map((k) => [k, []]));
    const envelopes = [];
    for (let i = 0; i < 200; i++) {
      const key = keys[i % keys.length] ?? 'k0';
      const eventId = nextEventId();
      sent.get(key)?.push(eventId);
      envelopes.push({ event_id: eventId, event: { app_id: 'shop', topic_id: 'ordered', data: Buffer.from(String(i)) }, option: { orderingKey: key } });
    }
    // Several requests, so the router sees the stream in more than one batch.
    for (let i = 0; i < envelopes.length; i += 25) await f.ingest(envelopes.slice(i, i + 25));
    const records = await f.readTopic(Topics.deliveries('ordered'), (r) => r.length >= 200);
    assert.equal(records.length, 200);
    for (const key of keys) {
      const seen = records.filter((r) => r.key === key).map((r) => r.headers['ey-event-id']);
      assert.deepEqual(seen, sent.get(key), `order of key ${key}`);
    }
  });

  await t.test('/metrics counts events by status and deliveries by processor', async () => {
    const response = await fetch(`http://127.0.0.1:${f.app.healthPort}/metrics`);
    const text = await response.text();
    assert.match(text, /eventyard_router_events_total\{status="routed"[^}]*\} \d+/);
    assert.match(text, /eventyard_router_events_total\{status="no_subscribers"[^}]*\} \d+/);
    assert.match(text, /eventyard_router_deliveries_total\{dispatcher_id="big-orders",status="pending"[^}]*\} 1/);
    assert.match(text, /eventyard_router_round_seconds_count/);
    const ready = await fetch(`http://127.0.0.1:${f.app.healthPort}/readyz`);
    assert.equal(ready.status, 200);
  });
});
