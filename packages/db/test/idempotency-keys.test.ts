import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimIdempotencyKey, releaseIdempotencyKey } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const base = { app_id: 'shop', topic_id: 'order', key: 'order-42', ttlMs: 60_000 };

test('50 concurrent claims of one key: one winner, everyone answers with its event id', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 20 });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => claimIdempotencyKey(knex, { ...base, event_id: String(1000 + i) })));
  const winners = results.filter((r) => r.fresh);
  assert.equal(winners.length, 1);
  const winnerId = winners[0]?.event_id;
  for (const result of results) assert.equal(result.event_id, winnerId);
  // The same key in another topic is independent.
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, topic_id: 'refund', event_id: '7' }), { event_id: '7', fresh: true });
});

test('an expired key is claimed afresh; a released key can be claimed again', async (t) => {
  const { knex } = await createDatabase(t);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '1' }), { event_id: '1', fresh: true });
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '2' }), { event_id: '1', fresh: false });

  await knex('idempotency_keys').update({ expires_at: knex.raw("now() - interval '1 second'") });
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '3' }), { event_id: '3', fresh: true });

  assert.equal(await releaseIdempotencyKey(knex, { ...base, event_id: '1' }), false, 'only the current claim is released');
  assert.equal(await releaseIdempotencyKey(knex, { ...base, event_id: '3' }), true);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '4' }), { event_id: '4', fresh: true });
});
