import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cancelReplayJob,
  claimReplayJob,
  countReplayMatches,
  createReplayJob,
  databaseNow,
  finishReplayJob,
  getReplayJob,
  isReplayId,
  markDeliveriesPending,
  nextReplayBatch,
  recordDeliveries,
  recordEvents,
  recordReplayProgress,
  releaseReplayJob,
  setDeliveryStatus,
} from '../src/index.ts';
import { createDatabase } from '../src/testing.ts';

const row = (event_id: string, extra: Record<string, unknown> = {}) => ({
  event_id,
  app_id: 'shop',
  topic_id: 'order',
  status: 'routed',
  payload: Buffer.from('{}'),
  ...extra,
});

test('replay jobs: matched set, batches, lease, progress, cancel, finish', async (t) => {
  const { knex } = await createDatabase(t);
  await recordEvents(knex, [row('10'), row('11'), row('12', { topic_id: 'refund' }), row('13'), row('14', { created_at: new Date('2020-01-01T00:00:00Z') })]);
  await recordDeliveries(knex, [
    { event_id: '10', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'dead' },
    { event_id: '11', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'succeeded' },
    { event_id: '13', dispatcher_id: 'audit', app_id: 'shop', topic_id: 'order', status: 'dead' },
  ]);

  await t.test('queries', async () => {
    assert.deepEqual(await countReplayMatches(knex, { topic_id: 'order' }, 100), { matched: 4, maxEventId: '14' });
    assert.deepEqual(await countReplayMatches(knex, { topic_id: 'order' }, 2), { matched: 2, maxEventId: '11' });
    assert.equal((await countReplayMatches(knex, { dispatcher_id: 'billing', delivery_status: ['dead'] }, 100)).matched, 1);
    assert.equal((await countReplayMatches(knex, { delivery_status: ['dead'] }, 100)).matched, 2);
    assert.equal((await countReplayMatches(knex, { dispatcher_id: 'billing' }, 100)).matched, 2);
    assert.equal((await countReplayMatches(knex, { since: '2021-01-01T00:00:00.000Z' }, 100)).matched, 4);
    assert.equal((await countReplayMatches(knex, { until: '2021-01-01T00:00:00.000Z' }, 100)).matched, 1);
    assert.equal((await countReplayMatches(knex, { event_ids: ['11', '12', '99'] }, 100)).matched, 2);
  });

  await t.test('a job covers the events matching when it was created, in event_id batches', async () => {
    const job = await createReplayJob(knex, { kind: 'query', query: { topic_id: 'order' }, rate_per_s: 10, limit: 3 });
    assert.equal(job.status, 'running');
    assert.equal(job.matched, 3);
    assert.equal(job.max_event_id, '13');
    assert.ok(isReplayId(job.replay_id));
    await recordEvents(knex, [row('15')]);
    const first = await nextReplayBatch(knex, job, 2);
    assert.deepEqual(
      first.map((e) => e.event_id),
      ['10', '11'],
    );
    assert.equal(first[0]?.payload?.toString(), '{}');
    const rest = await nextReplayBatch(knex, { ...job, cursor: '11' }, 2);
    assert.deepEqual(
      rest.map((e) => e.event_id),
      ['13'],
      'neither 14 (past the limit) nor 15 (reported later)',
    );
    const empty = await createReplayJob(knex, { kind: 'query', query: { app_id: 'nobody' }, rate_per_s: 10, limit: 3 });
    assert.equal(empty.status, 'succeeded');
    assert.ok(empty.finished_at !== null);
    assert.deepEqual(await nextReplayBatch(knex, empty, 10), []);
    await cancelReplayJob(knex, job.replay_id);
  });

  await t.test('one holder at a time; an expired or released lease can be claimed again', async () => {
    const job = await createReplayJob(knex, { kind: 'redrive', query: { dispatcher_id: 'billing', delivery_status: ['dead'] }, rate_per_s: 10, limit: 10 });
    const claimed = await claimReplayJob(knex, { owner: 'a', leaseMs: 60_000 });
    assert.equal(claimed?.replay_id, job.replay_id);
    assert.equal(claimed?.lease_owner, 'a');
    assert.equal(await claimReplayJob(knex, { owner: 'b', leaseMs: 60_000 }), undefined, 'held by a');
    assert.equal(
      await recordReplayProgress(knex, { replay_id: job.replay_id, owner: 'b', leaseMs: 60_000, cursor: '10', replayed: 1, skipped: 0, failed: 0 }),
      undefined,
    );
    assert.equal(
      await recordReplayProgress(knex, { replay_id: job.replay_id, owner: 'a', leaseMs: 60_000, cursor: '10', replayed: 1, skipped: 2, failed: 3 }),
      'running',
    );
    const progressed = await getReplayJob(knex, job.replay_id);
    assert.deepEqual([progressed?.cursor, progressed?.replayed, progressed?.skipped, progressed?.failed], ['10', 1, 2, 3]);

    await knex('replay_jobs')
      .where({ replay_id: job.replay_id })
      .update({ lease_expires_at: knex.raw("now() - interval '1 second'") });
    assert.equal((await claimReplayJob(knex, { owner: 'b', leaseMs: 60_000 }))?.replay_id, job.replay_id, 'expired: b takes over');
    assert.equal(await finishReplayJob(knex, { replay_id: job.replay_id, owner: 'a', status: 'succeeded' }), false, 'a no longer holds it');
    await releaseReplayJob(knex, job.replay_id, 'b');
    assert.equal((await claimReplayJob(knex, { owner: 'c', leaseMs: 60_000 }))?.lease_owner, 'c', 'released: claimable at once');

    assert.equal((await cancelReplayJob(knex, job.replay_id))?.status, 'cancelled');
    assert.equal(
      await recordReplayProgress(knex, { replay_id: job.replay_id, owner: 'c', leaseMs: 60_000, cursor: '10', replayed: 0, skipped: 0, failed: 0 }),
      'cancelled',
    );
    assert.equal(await finishReplayJob(knex, { replay_id: job.replay_id, owner: 'c', status: 'succeeded' }), false, 'a cancelled job stays cancelled');
    assert.equal((await getReplayJob(knex, job.replay_id))?.status, 'cancelled');
    assert.equal(await claimReplayJob(knex, { owner: 'd', leaseMs: 60_000 }), undefined, 'nothing left to run');
    assert.equal(await getReplayJob(knex, 'nope'), undefined);
    assert.equal(await cancelReplayJob(knex, '00000000-0000-4000-8000-000000000000'), undefined);
  });

  await t.test('markDeliveriesPending creates rows and leaves alone what a dispatcher wrote since', async () => {
    const before = await databaseNow(knex);
    await setDeliveryStatus(knex, { event_id: '11', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'succeeded' });
    await markDeliveriesPending(
      knex,
      [
        { event_id: '10', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', repeat_times: 0 },
        { event_id: '11', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', repeat_times: 0 },
        { event_id: '13', dispatcher_id: 'new', app_id: 'shop', topic_id: 'order', repeat_times: 2 },
      ],
      before,
    );
    const status = async (eventId: string, dispatcherId: string) =>
      (await knex('deliveries').where({ event_id: eventId, dispatcher_id: dispatcherId }).first('status', 'finished_at', 'repeat_times')) as {
        status: string;
        finished_at: Date | null;
        repeat_times: number;
      };
    assert.equal((await status('10', 'billing')).status, 'pending');
    assert.equal((await status('10', 'billing')).finished_at, null);
    assert.equal((await status('11', 'billing')).status, 'succeeded', 'written after `before`: kept');
    assert.deepEqual({ ...(await status('13', 'new')), finished_at: null }, { status: 'pending', finished_at: null, repeat_times: 2 });
  });
});
