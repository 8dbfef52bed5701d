import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const base = { app_id: 'shop', topic_id: 'order', key: 'order-42', ttlMs: 60_000, claimTtlMs: 5000 };
const ref = (event_id: string) => ({ app_id: base.app_id, topic_id: base.topic_id, key: base.key, event_id });

test('50 concurrent claims of one key: one winner, the others see it in progress, then done', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 20 });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => claimIdempotencyKey(knex, { ...base, event_id: String(1000 + i) })));
  const winners = results.filter((r) => r.status === 'claimed');
  assert.equal(winners.length, 1);
  const winnerId = winners[0]?.event_id ?? '';
  for (const result of results.filter((r) => r.status !== 'claimed')) assert.deepEqual(result, { status: 'in_progress', event_id: winnerId });

  assert.equal(await completeIdempotencyKey(knex, ref(winnerId)), true);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '2000' }), { status: 'done', event_id: winnerId });
  const row = (await knex('idempotency_keys').first(knex.raw('extract(epoch from expires_at - created_at) * 1000 as window'))) as { window: string };
  assert.equal(Number(row.window), 60_000, 'a done key lasts the window from its claim');
  // The same key in another topic is independent.
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, topic_id: 'refund', event_id: '7' }), { status: 'claimed', event_id: '7' });
});

test('an in-progress claim expires after its claim TTL and is taken over; completing the lost claim changes nothing', async (t) => {
  const { knex } = await createDatabase(t);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, claimTtlMs: 300, event_id: '1' }), { status: 'claimed', event_id: '1' });
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '2' }), { status: 'in_progress', event_id: '1' });
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '3' }), { status: 'claimed', event_id: '3' }, 'the crashed holder is taken over');
  assert.equal(await completeIdempotencyKey(knex, ref('1')), false, 'the first holder no longer owns the key');
  assert.equal(await releaseIdempotencyKey(knex, ref('1')), false);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '4' }), { status: 'in_progress', event_id: '3' });
});

test('a done key expires at the end of its window; a released claim can be claimed again; a done key is never released', async (t) => {
  const { knex } = await createDatabase(t);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '1' }), { status: 'claimed', event_id: '1' });
  assert.equal(await completeIdempotencyKey(knex, ref('1')), true);
  assert.equal(await releaseIdempotencyKey(knex, ref('1')), false, 'a written event keeps its key');
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '2' }), { status: 'done', event_id: '1' });

  await knex('idempotency_keys').update({ expires_at: knex.raw("now() - interval '1 second'") });
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '3' }), { status: 'claimed', event_id: '3' });

  assert.equal(await releaseIdempotencyKey(knex, ref('1')), false, 'only the current claim is released');
  assert.equal(await releaseIdempotencyKey(knex, ref('3')), true);
  assert.deepEqual(await claimIdempotencyKey(knex, { ...base, event_id: '4' }), { status: 'claimed', event_id: '4' });
});
