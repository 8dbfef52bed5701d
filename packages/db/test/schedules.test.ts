import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cancelTimersForEvent,
  claimDueTimers,
  completeTimers,
  countTimers,
  insertTimers,
  nextDueForEvent,
  releaseTimers,
  type TimerInput,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

function timer(id: string, dueInMs: number, extra: Partial<TimerInput> = {}): TimerInput {
  return {
    id,
    kind: 'retry',
    due_at: new Date(Date.now() + dueInMs),
    target_topic: 'eventyard.deliveries.billing',
    message_key: Buffer.from('k'),
    value: Buffer.from(id),
    ...extra,
  };
}

test('timers are inserted once per id, claimed when due (overdue first), completed by their claimer', async (t) => {
  const { knex } = await createDatabase(t);
  assert.equal(await insertTimers(knex, [timer('late', -60_000), timer('due', -1000), timer('future', 3_600_000)]), 3);
  assert.equal(await insertTimers(knex, [timer('due', -1000)]), 0, 'a re-consumed schedule message inserts nothing');

  const claimed = await claimDueTimers(knex, { owner: 's1', dueBefore: new Date(), limit: 10, claimMs: 30_000 });
  assert.deepEqual(
    claimed.map((c) => c.id),
    ['late', 'due'],
  );
  assert.equal(claimed[0]?.attempts, 1);
  assert.deepEqual(claimed[0]?.value, Buffer.from('late'));
  assert.deepEqual(
    await claimDueTimers(knex, { owner: 's2', dueBefore: new Date(), limit: 10, claimMs: 30_000 }),
    [],
    'claimed timers are not handed out twice',
  );

  assert.equal(await completeTimers(knex, ['late', 'due'], 's2'), 0, 'another scheduler cannot complete them');
  assert.equal(await completeTimers(knex, ['late', 'due'], 's1'), 2);
  assert.equal(await countTimers(knex), 1);
});

test("a crashed scheduler's claims come back after the lease; released claims at once", async (t) => {
  const { knex } = await createDatabase(t);
  await insertTimers(knex, [timer('a', -10), timer('b', -5)]);
  await claimDueTimers(knex, { owner: 'crashed', dueBefore: new Date(), limit: 1, claimMs: 30_000 });
  await claimDueTimers(knex, { owner: 'stopping', dueBefore: new Date(), limit: 1, claimMs: 30_000 });
  assert.equal(await releaseTimers(knex, ['b'], 'stopping'), 1);
  assert.deepEqual(
    (await claimDueTimers(knex, { owner: 's2', dueBefore: new Date(), limit: 10, claimMs: 30_000 })).map((c) => c.id),
    ['b'],
  );

  await knex('schedules')
    .where({ id: 'a' })
    .update({ claimed_until: knex.raw("now() - interval '1 second'") });
  const reclaimed = await claimDueTimers(knex, { owner: 's2', dueBefore: new Date(), limit: 10, claimMs: 30_000 });
  assert.deepEqual(
    reclaimed.map((c) => [c.id, c.claimed_by, c.attempts]),
    [['a', 's2', 2]],
  );
});

test('concurrent schedulers claim disjoint sets', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 10 });
  await insertTimers(
    knex,
    Array.from({ length: 200 }, (_, i) => timer(`t${i}`, -i)),
  );
  const claims = await Promise.all(
    Array.from({ length: 8 }, (_, s) => claimDueTimers(knex, { owner: `s${s}`, dueBefore: new Date(), limit: 40, claimMs: 30_000 })),
  );
  const ids = claims.flat().map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'no timer claimed twice');
  assert.equal(ids.length, 200);
});

test("an event's timers can be listed by next due time and cancelled", async (t) => {
  const { knex } = await createDatabase(t);
  const soon = timer('repeat:9:a:1', 60_000, { kind: 'repeat', event_id: '9', dispatcher_id: 'a' });
  await insertTimers(knex, [soon, timer('repeat:9:b:1', 120_000, { kind: 'repeat', event_id: '9', dispatcher_id: 'b' })]);
  assert.equal((await nextDueForEvent(knex, '9'))?.getTime(), soon.due_at.getTime());
  assert.equal(await cancelTimersForEvent(knex, '9', { dispatcherId: 'a' }), 1);
  assert.equal(await cancelTimersForEvent(knex, '9'), 1);
  assert.equal(await nextDueForEvent(knex, '9'), null);
});
