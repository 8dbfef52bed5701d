// POST /v1/events/:event_id/replay against a real broker: what lands on each delivery topic (decoded
// DeliveryTasks), the delivery rows it leaves, the three ways of choosing targets, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplayAdmin, type ReplayFixture } from '../replay/replay-fixture.ts';

async function deliveryRow(
  f: ReplayFixture,
  eventId: string,
  dispatcherId: string,
): Promise<{ status: string; finished_at: Date | null; repeat_times: number } | undefined> {
  return (await f.db.knex('deliveries').where({ event_id: eventId, dispatcher_id: dispatcherId }).first()) as
    { status: string; finished_at: Date | null; repeat_times: number } | undefined;
}

async function tasksOf(f: ReplayFixture, dispatcherId: string, eventId: string) {
  return (await f.tasks(dispatcherId)).filter((t) => t.task.event_id === eventId);
}

test('replaying one event', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  await f.processor({ dispatcher_id: 'billing' });
  await f.processor({ dispatcher_id: 'vip-only', filter_tag: { vip: true } });
  await f.processor({ dispatcher_id: 'big', filter: { amount: { $gte: 100 } } });
  await f.processor({ dispatcher_id: 'halted', is_stop: true });
  await f.processor({ dispatcher_id: 'elsewhere', topic_id: 'refund' });
  const createdAt = new Date('2026-03-01T10:00:00.000Z');
  await f.events([
    { event_id: '101', payload: Buffer.from('{"amount":250}'), event_comm: { event_tag: { tag_list: ['vip'] } }, created_at: createdAt },
    { event_id: '102', payload: Buffer.from('{"amount":5}') },
    { event_id: '103', payload: Buffer.from('{"amount":7}'), ordering_key: 'customer-9' },
    { event_id: '104' },
    { event_id: '106', payload: Buffer.from('{"amount":1}'), broadcast: true, source: 'broadcast' },
    {
      event_id: '105',
      trigger_type: 3,
      trigger: { trigger_type: 3, repeat_trigger: { pulser_type: 1, regular_pulser: { interval: { seconds: '60', nanos: 0 } } } },
    },
  ]);

  await t.test('default: routing runs again against the current processors, with the router filters', async () => {
    const res = await f.call('POST', '/v1/events/101/replay', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ret.code, 0);
    assert.deepEqual(res.body.replayed, ['big', 'billing', 'vip-only']);
    assert.deepEqual(res.body.skipped, [{ dispatcher_id: 'halted', reason: 'stopped' }]);
    for (const id of ['big', 'billing', 'vip-only']) {
      const tasks = await tasksOf(f, id, '101');
      assert.equal(tasks.length, 1, `${id} got one task`);
      const [record] = tasks;
      assert.equal(record?.task.trigger_source, 'manual');
      assert.equal(record?.task.retry_times, 0);
      assert.equal(record?.task.dispatcher_id, id);
      assert.equal(record?.task.event?.app_id, 'shop');
      assert.equal(record?.task.event?.topic_id, 'order');
      assert.equal(Buffer.from(record?.task.event?.data ?? []).toString(), '{"amount":250}');
      assert.deepEqual(record?.task.event?.event_comm?.event_tag?.tag_list, ['vip']);
      assert.equal(record?.task.scheduled_for, null, 'real-time: no due time');
      assert.equal(Number(record?.task.reported_at?.seconds) * 1000, createdAt.getTime());
      assert.equal(record?.key, '101', 'key = event_id without an ordering key');
      assert.equal(record?.headers['ey-event-id'], '101');
      assert.equal((await deliveryRow(f, '101', id))?.status, 'pending');
    }
    assert.equal((await f.tasks('halted')).length, 0);
    assert.equal((await f.tasks('elsewhere')).length, 0);
  });

  await t.test('filtered-out processors are skipped with the filter that dropped the event', async () => {
    const res = await f.call('POST', '/v1/events/102/replay');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.replayed, ['billing']);
    assert.deepEqual(
      [...res.body.skipped].sort((a: { dispatcher_id: string }, b: { dispatcher_id: string }) => a.dispatcher_id.localeCompare(b.dispatcher_id)),
      [
        { dispatcher_id: 'big', reason: 'filtered_by_filter' },
        { dispatcher_id: 'halted', reason: 'stopped' },
        { dispatcher_id: 'vip-only', reason: 'filtered_by_tag' },
      ],
    );
    assert.equal((await tasksOf(f, 'billing', '102')).length, 1);
    assert.equal((await tasksOf(f, 'big', '102')).length, 0);
    assert.equal((await tasksOf(f, 'vip-only', '102')).length, 0);
  });

  await t.test('a broadcast event replays to every active processor, whatever their filters say (as it was routed)', async () => {
    const res = await f.call('POST', '/v1/events/106/replay');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.replayed, ['big', 'billing', 'vip-only']);
    assert.deepEqual(res.body.skipped, [{ dispatcher_id: 'halted', reason: 'stopped' }]);
    for (const id of ['big', 'billing', 'vip-only']) assert.equal((await tasksOf(f, id, '106')).length, 1, `${id} got the broadcast again`);
  });

  await t.test('original_targets: the processors the event reached, whatever the filters say now', async () => {
    await f.deliveries([
      { event_id: '103', dispatcher_id: 'billing', status: 'succeeded' },
      { event_id: '103', dispatcher_id: 'big', status: 'dead' },
      { event_id: '103', dispatcher_id: 'vip-only', status: 'filtered' },
    ]);
    const res = await f.call('POST', '/v1/events/103/replay', { original_targets: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([...res.body.replayed].sort(), ['big', 'billing']);
    assert.deepEqual(res.body.skipped, []);
    const [task] = await tasksOf(f, 'big', '103');
    assert.equal(task?.key, 'customer-9', 'key = ordering_key');
    assert.equal(task?.task.trigger_source, 'manual');
    assert.equal((await tasksOf(f, 'vip-only', '103')).length, 0);
    const billing = await deliveryRow(f, '103', 'billing');
    assert.equal(billing?.status, 'pending');
    assert.equal(billing?.finished_at, null);
    assert.equal((await deliveryRow(f, '103', 'big'))?.status, 'pending');
    assert.equal((await deliveryRow(f, '103', 'vip-only'))?.status, 'filtered');
  });

  await t.test('dispatcher_id: one processor only, even if stopped; the delivery row is created when missing', async () => {
    const res = await f.call('POST', '/v1/events/102/replay', { dispatcher_id: 'halted' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.replayed, ['halted']);
    assert.equal((await tasksOf(f, 'halted', '102')).length, 1);
    assert.equal((await deliveryRow(f, '102', 'halted'))?.status, 'pending');
    assert.equal((await tasksOf(f, 'billing', '102')).length, 1, 'no second task for the others');
  });

  await t.test('a repeat event replays one occurrence (the last one the processor got), never a chain', async () => {
    await f.deliveries([{ event_id: '105', dispatcher_id: 'billing', status: 'succeeded', repeat_times: 3 }]);
    const res = await f.call('POST', '/v1/events/105/replay', { dispatcher_id: 'billing' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const tasks = await tasksOf(f, 'billing', '105');
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]?.task.repeat_times, 3);
    assert.equal(tasks[0]?.task.trigger_source, 'manual', 'the dispatcher chains no occurrences off a manual task');
    assert.equal(tasks[0]?.task.trigger?.trigger_type, 3);
    assert.equal((await deliveryRow(f, '105', 'billing'))?.repeat_times, 3);
  });

  await t.test('a pruned payload cannot be replayed: 410 EY_PAYLOAD_PRUNED with the time', async () => {
    await f.db
      .knex('events')
      .where({ event_id: '104' })
      .update({ payload: null, payload_pruned_at: new Date('2026-04-01T00:00:00.000Z') });
    const res = await f.call('POST', '/v1/events/104/replay', {});
    assert.equal(res.status, 410);
    assert.equal(res.body.error, 'EY_PAYLOAD_PRUNED');
    assert.equal(res.body.ret.msg, 'event 104: payload was pruned by retention at 2026-04-01T00:00:00.000Z; it cannot be replayed');
    assert.equal((await tasksOf(f, 'billing', '104')).length, 0);
  });

  await t.test('bad input: 4xx naming the problem, nothing produced', async () => {
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ['/v1/events/999/replay', {}, 404, 'EY_EVENT_NOT_FOUND', /event 999 not found/],
      ['/v1/events/abc/replay', {}, 400, 'EY_INVALID_EVENT_ID', /event_id must be a positive decimal 64-bit integer/],
      ['/v1/events/101/replay', { dispatcher_id: 'nobody' }, 404, 'EY_PROCESSOR_NOT_FOUND', /processor "nobody" not found/],
      [
        '/v1/events/101/replay',
        { dispatcher_id: 'elsewhere' },
        400,
        'EY_PROCESSOR_NOT_SUBSCRIBED',
        /dispatcher_id: processor "elsewhere" subscribes to shop\/refund/,
      ],
      ['/v1/events/101/replay', { dispatcher_id: 'billing', original_targets: true }, 400, 'EY_INVALID_REQUEST', /exclude each other/],
      ['/v1/events/101/replay', { original_targets: 'yes' }, 400, 'EY_INVALID_REQUEST', /original_targets must be a boolean/],
      ['/v1/events/101/replay', { dispatcher_id: 5 }, 400, 'EY_INVALID_REQUEST', /dispatcher_id must be a string/],
      ['/v1/events/101/replay', { target: 'billing' }, 400, 'EY_INVALID_REQUEST', /target is not a known field/],
      ['/v1/events/101/replay', '{"original_targets":', 400, 'EY_INVALID_JSON', /not valid JSON/],
      ['/v1/events/101/replay', '[]', 400, 'EY_INVALID_REQUEST', /request body must be an object/],
    ];
    const before = (await f.tasks('billing')).length;
    for (const [path, body, status, code, msg] of cases) {
      const res = await f.call('POST', path, body);
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, code);
      assert.match(res.body.ret.msg, msg);
      assert.notEqual(res.body.ret.code, 0);
    }
    assert.equal((await f.tasks('billing')).length, before);
  });
});

test('a replay with Kafka down answers 503 and leaves the delivery rows as they were', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false, env: { EY_KAFKA_BROKERS: '127.0.0.1:1' } });
  await f.processor({ dispatcher_id: 'billing' });
  await f.events([{ event_id: '7' }]);
  await f.deliveries([{ event_id: '7', dispatcher_id: 'billing', status: 'dead' }]);
  const res = await f.call('POST', '/v1/events/7/replay', {});
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.equal(res.body.error, 'EY_KAFKA_UNAVAILABLE');
  assert.equal((await deliveryRow(f, '7', 'billing'))?.status, 'dead');
});
