import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  claimDueChecks,
  commitTransaction,
  getTransaction,
  prepareTransaction,
  relayOutbox,
  rollbackTransaction,
  scheduleNextCheck,
  type OutboxRecord,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const half = (eventId: string) => ({
  event_id: eventId,
  app_id: 'shop',
  topic_id: 'order',
  event: Buffer.from('half-event'),
  callback: { protocol_type: 1, address: 'shop:9100', timeout_ms: 5000 },
  callback_interval_ms: 120_000,
});
const publish = (eventId: string) => ({
  topic: 'eventyard.ingest',
  message_key: Buffer.from(eventId),
  value: Buffer.from(`envelope-${eventId}`),
  event_id: eventId,
});

test('commit moves PREPARE to COMMIT once and queues exactly one outbox message', async (t) => {
  const { knex } = await createDatabase(t);
  const prepared = await prepareTransaction(knex, half('11'));
  assert.equal(prepared.status, 'prepare');
  assert.ok(prepared.next_check_at !== null && prepared.next_check_at.getTime() > Date.now() + 100_000);

  const committed = await commitTransaction(knex, '11', { trigger: { trigger_type: 1 }, publish: publish('11') });
  assert.equal(committed.ok, true);
  assert.deepEqual(await commitTransaction(knex, '11', { trigger: {}, publish: publish('11') }), { ok: false, status: 'commit' });
  assert.deepEqual(await rollbackTransaction(knex, '11'), { ok: false, status: 'commit' });
  assert.deepEqual(await commitTransaction(knex, '404', { trigger: {}, publish: publish('404') }), { ok: false, status: undefined });

  const published: OutboxRecord[] = [];
  assert.equal(await relayOutbox(knex, { limit: 10, publish: async (rows) => void published.push(...rows) }), 1);
  assert.equal(await relayOutbox(knex, { limit: 10, publish: async (rows) => void published.push(...rows) }), 0);
  assert.deepEqual(
    published.map((p) => [p.event_id, p.value.toString()]),
    [['11', 'envelope-11']],
  );
  const tx = await getTransaction(knex, '11');
  assert.equal(tx?.status, 'commit');
  assert.deepEqual(tx?.trigger, { trigger_type: 1 });
  assert.equal(tx?.next_check_at, null);
});

test('rollback and expiry never publish; a failed relay publishes later', async (t) => {
  const { knex } = await createDatabase(t);
  await prepareTransaction(knex, half('21'));
  await prepareTransaction(knex, half('22'));
  assert.equal((await rollbackTransaction(knex, '21')).ok, true);
  assert.equal((await rollbackTransaction(knex, '22', { expired: true, reason: 'no answer after 10 check-backs' })).ok, true);
  assert.deepEqual(await commitTransaction(knex, '21', { trigger: {}, publish: publish('21') }), { ok: false, status: 'rollback' });
  assert.equal((await getTransaction(knex, '22'))?.status, 'expired');
  assert.equal(await relayOutbox(knex, { limit: 10, publish: () => assert.fail('nothing to publish') }), 0);

  await prepareTransaction(knex, half('23'));
  await commitTransaction(knex, '23', { trigger: {}, publish: publish('23') });
  await assert.rejects(relayOutbox(knex, { limit: 10, publish: () => Promise.reject(new Error('broker down')) }), /broker down/);
  const retried: string[] = [];
  assert.equal(await relayOutbox(knex, { limit: 10, publish: async (rows) => void retried.push(...rows.map((r) => String(r.event_id))) }), 1);
  assert.deepEqual(retried, ['23']);
});

test('due check-backs are claimed once, with a lease, and can be pushed out', async (t) => {
  const { knex } = await createDatabase(t);
  await prepareTransaction(knex, { ...half('31'), callback_interval_ms: 0 });
  await prepareTransaction(knex, half('32'));
  const due = await claimDueChecks(knex, { limit: 10, leaseMs: 60_000 });
  assert.deepEqual(
    due.map((d) => [d.event_id, d.check_attempts]),
    [['31', 1]],
  );
  assert.deepEqual(await claimDueChecks(knex, { limit: 10, leaseMs: 60_000 }), []);
  assert.equal(await scheduleNextCheck(knex, '31', { delayMs: 0, error: 'UNKNOWN answer' }), true);
  const again = await claimDueChecks(knex, { limit: 10, leaseMs: 60_000 });
  assert.deepEqual(
    again.map((d) => [d.event_id, d.check_attempts, d.last_check_error]),
    [['31', 2, 'UNKNOWN answer']],
  );
});
