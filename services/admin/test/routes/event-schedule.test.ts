// Repeat events in the admin API over real HTTP: GET shows each processor's next occurrence, and
// DELETE /v1/events/:event_id/schedule cancels every chain and pending timer (404 for unknown events).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertTimers, listRepeatChains, recordDeliveries, recordEvents, setRepeatChainNext } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

const EVENT_ID = '7320000000000000101';

test('repeat schedule: next occurrence per processor, cancel through DELETE', async (t) => {
  const admin = await startAdmin(t);
  const { call } = admin;
  const knex = admin.db.knex;
  const base = { app_id: 'shop', topic_id: 'tick' };
  const past = new Date(Date.now() - 10_000);
  const nextA = new Date(Date.now() + 30_000);
  const firstB = new Date(Date.now() + 5000);
  // The router recorded occurrence 0 due in the past for "a" (already fired) and ahead for "b".
  await recordEvents(knex, [{ event_id: EVENT_ID, ...base, status: 'routed', trigger_type: 3, next_due_at: past }]);
  await recordDeliveries(knex, [
    { event_id: EVENT_ID, dispatcher_id: 'a', ...base, status: 'succeeded', repeat_times: 3 },
    { event_id: EVENT_ID, dispatcher_id: 'b', ...base, status: 'scheduled', next_attempt_at: firstB },
  ]);
  await setRepeatChainNext(knex, { event_id: EVENT_ID, dispatcher_id: 'a', next_repeat_times: 4, next_due_at: nextA });
  const timer = (id: string, dispatcherId: string, dueAt: Date) => ({
    id,
    kind: 'repeat',
    due_at: dueAt,
    target_topic: `eventyard.deliveries.${dispatcherId}`,
    message_key: null,
    value: Buffer.from('x'),
    event_id: EVENT_ID,
    dispatcher_id: dispatcherId,
  });
  await insertTimers(knex, [timer(`rep:${EVENT_ID}:a:4`, 'a', nextA), timer(`rep:${EVENT_ID}:b:0`, 'b', firstB)]);

  await t.test('GET shows the next occurrence per processor and the earliest for the event', async () => {
    const res = await call('GET', `/v1/events/${EVENT_ID}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(new Date(res.body.next_due_at).getTime(), firstB.getTime(), 'the past due time the router recorded no longer counts');
    const [a, b] = res.body.deliveries;
    assert.equal(a.dispatcher_id, 'a');
    assert.equal(new Date(a.next_due_at).getTime(), nextA.getTime());
    assert.equal(a.repeat.next_repeat_times, 4);
    assert.equal(a.repeat.cancelled_at, null);
    assert.equal(new Date(b.next_due_at).getTime(), firstB.getTime());
    assert.equal(b.repeat, undefined);
  });

  await t.test('DELETE cancels every chain and pending timer', async () => {
    const res = await call('DELETE', `/v1/events/${EVENT_ID}/schedule`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ret.code, 0);
    assert.equal(res.body.cancelled_timers, 2);
    assert.equal(res.body.cancelled_chains, 2);
    assert.deepEqual(
      (await listRepeatChains(knex, EVENT_ID)).map((c) => [c.dispatcher_id, c.cancel_reason]),
      [
        ['a', 'admin'],
        ['b', 'admin'],
      ],
    );
    const after = await call('GET', `/v1/events/${EVENT_ID}`);
    assert.equal(after.body.next_due_at, null);
    assert.deepEqual(
      after.body.deliveries.map((d: { status: string; next_due_at: unknown }) => [d.status, d.next_due_at]),
      [
        ['succeeded', null],
        ['cancelled', null],
      ],
    );
    assert.notEqual(after.body.deliveries[0].repeat.cancelled_at, null);

    const again = await call('DELETE', `/v1/events/${EVENT_ID}/schedule`);
    assert.equal(again.status, 200);
    assert.equal(again.body.cancelled_timers, 0);
  });

  await t.test('unknown events are 404, malformed ids 400', async () => {
    const unknown = await call('DELETE', '/v1/events/12345/schedule');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.ret, { code: 10000, msg: 'event 12345 not found' });
    assert.equal((await call('DELETE', '/v1/events/abc/schedule')).status, 400);
  });
});
