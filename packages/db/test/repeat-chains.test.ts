import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelRepeatChains, getRepeatChain, listRepeatChains, setRepeatChainNext } from '../src/repeat-chains.ts';
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
  assert.deepEqual(chains.map((c) => [c.dispatcher_id, c.cancel_reason, c.next_due_at]), [
    ['audit', 'admin', null],
    ['billing', 'consumer', null],
    ['late', 'consumer', null],
  ]);
  assert.equal(chains[0]?.event_id, '42');
});
