import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertTimers, recordDeliveries, recordEvents } from '../src/index.ts';
import { cancelEventSchedule, cancelRepeatChains, getRepeatChain, listRepeatChains, setRepeatChainNext } from '../src/repeat-chains.ts';
import { createDatabase } from '../src/testing.ts';

test('repeat chains: next occurrence, cancel by processor or for all, and cancelled stays cancelled', async (t) => {
  const { knex } = await createDatabase(t);
  assert.equal(await getRepeatChain(knex, '42', 'billing'), undefined);
  const due = new Date('2026-01-01T00:00:01Z');
  assert.equal(await setRepeatChainNext(knex, { event_id: '42', dispatcher_id: 'billing', next_repeat_times: 1, next_due_at: due }), true);
  assert.equal(await setRepeatChainNext(knex, { event_id: '42', dispatcher_id: 'audit', next_repeat_times: 1, next_due_at: due }), true);
  const chain = await getRepeatChain(knex, '42', 'billing');
  assert.equal(chain?.next_repeat_times, 1);
  assert.deepEqual(chain?.next_due_at, due);
  assert.equal(chain?.cancelled_at, null);

  // The consumer's 30000 cancels one processor's chain; a chain the dispatcher never wrote is created cancelled.
  assert.equal(await cancelRepeatChains(knex, '42', { dispatcherIds: ['billing', 'late'], reason: 'consumer' }), 2);
  assert.notEqual((await getRepeatChain(knex, '42', 'billing'))?.cancelled_at, null);
  assert.equal((await getRepeatChain(knex, '42', 'late'))?.cancel_reason, 'consumer');
  assert.equal((await getRepeatChain(knex, '42', 'audit'))?.cancelled_at, null);
  // Scheduling the next occurrence of a cancelled chain is refused and does not revive it.
  assert.equal(await setRepeatChainNext(knex, { event_id: '42', dispatcher_id: 'billing', next_repeat_times: 2, next_due_at: due }), false);
  assert.notEqual((await getRepeatChain(knex, '42', 'billing'))?.cancelled_at, null);

  // Cancelling every chain of the event touches only those still active.
  assert.equal(await cancelRepeatChains(knex, '42', { reason: 'admin' }), 1);
  const chains = await listRepeatChains(knex, '42');
  assert.deepEqual(
    chains.map((c) => [c.dispatcher_id, c.cancel_reason, c.next_due_at]),
    [
      ['audit', 'admin', null],
      ['billing', 'consumer', null],
      ['late', 'consumer', null],
    ],
  );
  assert.equal(chains[0]?.event_id, '42');
});

test('cancelEventSchedule: chains, timers, waiting deliveries and next_due_at of one event; unknown events are not known', async (t) => {
  const { knex } = await createDatabase(t);
  const base = { app_id: 'shop', topic_id: 'order' };
  const due = new Date(Date.now() + 60_000);
  await recordEvents(knex, [{ event_id: '77', ...base, status: 'routed', trigger_type: 3, next_due_at: due }]);
  await recordDeliveries(knex, [
    { event_id: '77', dispatcher_id: 'fresh', ...base, status: 'scheduled', next_attempt_at: due },
    { event_id: '77', dispatcher_id: 'running', ...base, status: 'succeeded' },
    { event_id: '77', dispatcher_id: 'other', ...base, status: 'filtered' },
  ]);
  await setRepeatChainNext(knex, { event_id: '77', dispatcher_id: 'running', next_repeat_times: 4, next_due_at: due });
  const timer = (id: string, dispatcherId: string) => ({
    id,
    kind: 'repeat',
    due_at: due,
    target_topic: `eventyard.deliveries.${dispatcherId}`,
    message_key: null,
    value: Buffer.from('x'),
    event_id: '77',
    dispatcher_id: dispatcherId,
  });
  await insertTimers(knex, [timer('rep:77:fresh:0', 'fresh'), timer('rep:77:running:4', 'running'), { ...timer('rep:78:fresh:0', 'fresh'), event_id: '78' }]);

  assert.deepEqual(await cancelEventSchedule(knex, '77'), {
    known: true,
    cancelledTimers: 2,
    cancelledChains: 2,
    cancelledDeliveries: [{ dispatcher_id: 'fresh', ...base }],
  });
  assert.deepEqual(
    (await listRepeatChains(knex, '77')).map((c) => [c.dispatcher_id, c.cancel_reason, c.next_due_at]),
    [
      ['fresh', 'admin', null],
      ['running', 'admin', null],
    ],
  );
  const deliveries = (await knex('deliveries').where({ event_id: '77' }).orderBy('dispatcher_id')) as Array<{
    dispatcher_id: string;
    status: string;
    next_attempt_at: Date | null;
  }>;
  assert.deepEqual(
    deliveries.map((d) => [d.dispatcher_id, d.status, d.next_attempt_at]),
    [
      ['fresh', 'cancelled', null],
      ['other', 'filtered', null],
      ['running', 'succeeded', null],
    ],
  );
  assert.equal(((await knex('events').where({ event_id: '77' }).first()) as { next_due_at: Date | null }).next_due_at, null);
  assert.deepEqual(await knex('schedules').pluck('id'), ['rep:78:fresh:0'], "another event's timers stay");
  assert.deepEqual(
    await cancelEventSchedule(knex, '77'),
    { known: true, cancelledTimers: 0, cancelledChains: 0, cancelledDeliveries: [] },
    'a second cancel finds nothing left',
  );
  assert.deepEqual(await cancelEventSchedule(knex, '999'), { known: false, cancelledTimers: 0, cancelledChains: 0, cancelledDeliveries: [] });
  assert.deepEqual(
    await cancelEventSchedule(knex, '78'),
    { known: true, cancelledTimers: 1, cancelledChains: 0, cancelledDeliveries: [] },
    'a delay event not routed yet is known by its timer',
  );
});
