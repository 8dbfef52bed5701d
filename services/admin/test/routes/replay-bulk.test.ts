// POST /v1/replay (bulk replay by query), GET /v1/replays/:replay_id and its cancel route, with the admin
// app's own job runner and a real broker: each job replays exactly its matching set (the delivery
// topics hold those events once each and nothing else), a dry run counts and changes nothing, bad input
// is refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplayAdmin, type ReplayFixture } from '../replay/replay-fixture.ts';

const minute = (n: number) => new Date(Date.UTC(2026, 2, 1, 0, n)).toISOString();

async function waitJob(f: ReplayFixture, replayId: string, status: string) {
  let job: Record<string, unknown> | undefined;
  await f.waitFor(
    async () => {
      const res = await f.call('GET', `/v1/replays/${replayId}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      job = res.body.replay as Record<string, unknown>;
      return job.status === status;
    },
    30_000,
    `replay ${replayId} ${status}`,
  );
  return job as Record<string, unknown>;
}

async function eventIdsOn(f: ReplayFixture, dispatcherId: string): Promise<string[]> {
  const tasks = await f.tasks(dispatcherId);
  for (const { task } of tasks) {
    assert.equal(task.trigger_source, 'manual');
    assert.equal(task.retry_times, 0);
    assert.equal(task.dispatcher_id, dispatcherId);
    assert.equal(Buffer.from(task.event?.data ?? []).toString(), `{"id":"${task.event_id}"}`);
  }
  return tasks.map((t) => t.task.event_id).sort((a, b) => Number(a) - Number(b));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

test('bulk replay by query', async (t) => {
  const f = await startReplayAdmin(t);
  await f.processor({ dispatcher_id: 'orders' });
  await f.processor({ dispatcher_id: 'refunds', topic_id: 'refund' });
  await f.processor({ dispatcher_id: 'mall-orders', app_id: 'mall' });
  await f.processor({ dispatcher_id: 'mall-vip', app_id: 'mall', filter_tag: { vip: true } });
  await f.events([
    ...range(201, 210).map((id, i) => ({ event_id: id, created_at: new Date(minute(i)) })),
    ...range(211, 215).map((id) => ({ event_id: id, topic_id: 'refund', created_at: new Date(minute(30)) })),
    ...range(216, 220).map((id) => ({ event_id: id, app_id: 'mall', status: 'filtered', created_at: new Date(minute(40)) })),
  ]);
  await f.deliveries([
    { event_id: '211', dispatcher_id: 'refunds', topic_id: 'refund', status: 'dead' },
    { event_id: '212', dispatcher_id: 'refunds', topic_id: 'refund', status: 'dead' },
    { event_id: '213', dispatcher_id: 'refunds', topic_id: 'refund', status: 'succeeded' },
  ]);

  await t.test('dry run counts the matching events and changes nothing', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'shop', topic_id: 'order' }, dry_run: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.matched, 10);
    assert.equal(res.body.replay_id, undefined);
    const capped = await f.call('POST', '/v1/replay', { query: { app_id: 'shop' }, dry_run: true, limit: 12 });
    assert.equal(capped.body.matched, 12, 'capped at limit');
    assert.equal((await f.db.knex('replay_jobs').count<Array<{ count: string }>>('* as count'))[0]?.count, '0');
    assert.equal((await f.db.knex('deliveries').where({ status: 'pending' }).count<Array<{ count: string }>>('* as count'))[0]?.count, '0');
    for (const id of ['orders', 'refunds', 'mall-orders']) assert.deepEqual(await f.tasks(id), []);
  });

  await t.test('a job replays exactly the events of app, topic and time range, once each', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'shop', topic_id: 'order', since: minute(3), until: minute(8) }, rate_per_s: 1000 });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.matched, 5);
    const job = await waitJob(f, res.body.replay_id, 'succeeded');
    assert.equal(job.matched, 5);
    assert.equal(job.replayed, 5);
    assert.equal(job.failed, 0);
    assert.equal(job.skipped, 0);
    assert.equal(job.cursor, '208');
    assert.equal(job.error, null);
    assert.ok(job.finished_at !== null);
    assert.deepEqual(await eventIdsOn(f, 'orders'), range(204, 208));
    assert.deepEqual(await eventIdsOn(f, 'refunds'), []);
    assert.deepEqual(await eventIdsOn(f, 'mall-orders'), []);
    const pending = (await f.db.knex('deliveries').where({ status: 'pending' }).orderBy('event_id').pluck('event_id')) as string[];
    assert.deepEqual(pending.map(String), range(204, 208));
  });

  await t.test('delivery_status with original_targets replays the dead deliveries to where they went', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { delivery_status: ['dead'] }, original_targets: true });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.matched, 2);
    const job = await waitJob(f, res.body.replay_id, 'succeeded');
    assert.equal(job.replayed, 2);
    assert.deepEqual(await eventIdsOn(f, 'refunds'), ['211', '212']);
    assert.equal((await f.db.knex('deliveries').where({ event_id: '213' }).first('status'))?.status, 'succeeded');
  });

  await t.test('status and limit: the first events in event_id order; events no processor takes are counted skipped', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'mall', status: 'filtered' }, limit: 3 });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.matched, 3);
    const job = await waitJob(f, res.body.replay_id, 'succeeded');
    assert.equal(job.replayed, 3);
    assert.deepEqual(await eventIdsOn(f, 'mall-orders'), ['216', '217', '218']);
    assert.deepEqual(await eventIdsOn(f, 'mall-vip'), [], 'its filter_tag still drops them');

    await f.db.knex('processors').where({ dispatcher_id: 'mall-orders' }).update({ is_stop: true });
    await f.db.knex('events').where({ event_id: '220' }).update({ payload: null, payload_pruned_at: new Date() });
    const second = await f.call('POST', '/v1/replay', { query: { event_ids: ['219', '0220'] } });
    assert.equal(second.body.matched, 2);
    const done = await waitJob(f, second.body.replay_id, 'succeeded');
    assert.deepEqual([done.replayed, done.skipped, done.failed], [0, 1, 1], 'stopped + filtered = skipped; pruned = failed');
    assert.deepEqual(await eventIdsOn(f, 'mall-orders'), ['216', '217', '218']);
  });

  await t.test('a stored event that does not encode fails alone; the rest of its batch is replayed', async () => {
    await f.processor({ dispatcher_id: 'odd-orders', app_id: 'odd' });
    await f.events([
      { event_id: '221', app_id: 'odd', event_comm: { event_tag: { tag_list: 'not-a-list' } } },
      { event_id: '222', app_id: 'odd' },
    ]);
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'odd' } });
    const job = await waitJob(f, res.body.replay_id, 'succeeded');
    assert.deepEqual([job.matched, job.replayed, job.failed], [2, 1, 1]);
    assert.deepEqual(await eventIdsOn(f, 'odd-orders'), ['222']);
    const single = await f.call('POST', '/v1/events/221/replay');
    assert.equal(single.status, 500);
    assert.equal(single.body.error, 'EY_PROTO_ENCODE_FAILED');
  });

  await t.test('a query matching nothing creates a job that is already done', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'nobody' } });
    assert.equal(res.status, 202);
    assert.equal(res.body.matched, 0);
    const job = await f.call('GET', `/v1/replays/${res.body.replay_id}`);
    assert.equal(job.body.replay.status, 'succeeded');
  });

  await t.test('cancel stops a running job; the topic holds what it had replayed by then', async () => {
    const res = await f.call('POST', '/v1/replay', { query: { app_id: 'shop', topic_id: 'order' }, rate_per_s: 1 });
    assert.equal(res.status, 202);
    const id = res.body.replay_id as string;
    const cancelled = await f.call('POST', `/v1/replays/${id}/cancel`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.replay.status, 'cancelled');
    assert.ok(cancelled.body.replay.finished_at !== null);
    // The runner notices at its next batch and frees the lease.
    await f.waitFor(async () => (await f.db.knex('replay_jobs').where({ replay_id: id }).first('lease_owner'))?.lease_owner === null, 20_000, 'lease freed');
    const job = (await f.call('GET', `/v1/replays/${id}`)).body.replay;
    assert.equal(job.status, 'cancelled');
    assert.ok(job.replayed < 10, `stopped early (${job.replayed} of 10)`);
    const again = await f.call('POST', `/v1/replays/${id}/cancel`);
    assert.equal(again.body.replay.status, 'cancelled', 'cancelling twice is harmless');
    const orders = await eventIdsOn(f, 'orders');
    assert.equal(orders.length, 5 + Number(job.replayed));
  });

  await t.test('bad input: 4xx naming the problem', async () => {
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ query: {} }, 400, 'EY_REPLAY_QUERY_EMPTY', /query is empty: replaying every event must be asked for explicitly/],
      [{}, 400, 'EY_INVALID_REQUEST', /query is required/],
      [{ query: { app_id: 'shop' }, rate_per_s: 0 }, 400, 'EY_INVALID_REQUEST', /rate_per_s must be >= 1/],
      [{ query: { app_id: 'shop' }, rate_per_s: 10_001 }, 400, 'EY_INVALID_REQUEST', /rate_per_s must be <= 10000/],
      [{ query: { app_id: 'shop' }, rate_per_s: '5' }, 400, 'EY_INVALID_REQUEST', /rate_per_s must be an integer/],
      [{ query: { app_id: 'shop' }, limit: 0 }, 400, 'EY_INVALID_REQUEST', /limit must be >= 1/],
      [{ query: { app_id: 'shop' }, limit: 1_000_001 }, 400, 'EY_INVALID_REQUEST', /limit must be <= 1000000/],
      [{ query: { app_id: 'shop' }, limit: 1.5 }, 400, 'EY_INVALID_REQUEST', /limit must be an integer/],
      [{ query: { app_id: 'shop' }, dry_run: 'no' }, 400, 'EY_INVALID_REQUEST', /dry_run must be a boolean/],
      [{ query: { app: 'shop' } }, 400, 'EY_INVALID_REQUEST', /query.app is not a known field/],
      [{ query: { app_id: 'shop' }, everything: true }, 400, 'EY_INVALID_REQUEST', /everything is not a known field/],
      [{ query: { app_id: 7 } }, 400, 'EY_INVALID_REQUEST', /query.app_id must be a string/],
      [{ query: { delivery_status: ['broken'] } }, 400, 'EY_INVALID_REQUEST', /query.delivery_status.0 must be one of/],
      [{ query: { delivery_status: 'dead' } }, 400, 'EY_INVALID_REQUEST', /query.delivery_status must be an array/],
      [{ query: { since: 'yesterday' } }, 400, 'EY_INVALID_REQUEST', /query.since must be an RFC 3339 time with a zone/],
      [{ query: { since: '2026-02-30T00:00:00Z' } }, 400, 'EY_INVALID_REQUEST', /query.since must be an RFC 3339 time with a zone/],
      [{ query: { until: '2026-01-31T12:00:00' } }, 400, 'EY_INVALID_REQUEST', /query.until must be an RFC 3339 time with a zone/],
      [{ query: { since: minute(5), until: minute(5) } }, 400, 'EY_INVALID_REQUEST', /query.since must be before query.until/],
      [{ query: { event_ids: ['12a'] } }, 400, 'EY_INVALID_REQUEST', /query.event_ids.0 must match pattern/],
      [{ query: { event_ids: ['0'] } }, 400, 'EY_INVALID_EVENT_ID', /query.event_ids.0 must be a positive decimal 64-bit integer/],
      [{ query: { dispatcher_id: 'nobody' } }, 404, 'EY_PROCESSOR_NOT_FOUND', /query.dispatcher_id: processor "nobody" not found/],
      [{ query: { dispatcher_id: 'orders' }, original_targets: true }, 400, 'EY_INVALID_REQUEST', /exclude each other/],
      ['{"query":', 400, 'EY_INVALID_JSON', /not valid JSON/],
    ];
    for (const [body, status, code, msg] of cases) {
      const res = await f.call('POST', '/v1/replay', body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, code, JSON.stringify(body));
      assert.match(res.body.ret.msg, msg);
    }
    for (const path of ['/v1/replays/not-a-uuid', '/v1/replays/00000000-0000-4000-8000-000000000000']) {
      const get = await f.call('GET', path);
      assert.equal(get.status, 404);
      assert.equal(get.body.error, 'EY_REPLAY_NOT_FOUND');
      const cancel = await f.call('POST', `${path}/cancel`);
      assert.equal(cancel.status, 404);
      assert.match(cancel.body.ret.msg, /replay ".*" not found/);
    }
  });
});
