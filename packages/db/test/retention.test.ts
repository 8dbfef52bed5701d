import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pruneHistory, prunePayloads, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const DAY = 86_400_000;

async function seedEvent(knex: Knex, eventId: number, ageDays: number): Promise<void> {
  const createdAt = new Date(Date.now() - ageDays * DAY);
  await knex('events').insert({
    event_id: eventId,
    app_id: 'shop',
    topic_id: 'order',
    status: 'routed',
    payload: Buffer.from(`payload-${eventId}`),
    created_at: createdAt,
    recorded_at: createdAt,
    updated_at: createdAt,
  });
  for (const dispatcherId of ['a', 'b']) {
    const [delivery] = (await knex('deliveries')
      .insert({ event_id: eventId, dispatcher_id: dispatcherId, app_id: 'shop', topic_id: 'order', status: 'succeeded', created_at: createdAt })
      .returning('id')) as Array<{ id: string }>;
    await knex('delivery_attempts').insert({
      delivery_id: delivery?.id,
      event_id: eventId,
      dispatcher_id: dispatcherId,
      attempt_no: 1,
      outcome: 'succeeded',
      started_at: createdAt,
    });
  }
}

async function count(knex: Knex, table: string): Promise<number> {
  const [row] = await knex(table).count<Array<{ count: string }>>('* as count');
  return Number(row?.count);
}

test('pruneHistory deletes old events with their deliveries and attempts in batches, keeping recent ones and live chains', async (t) => {
  const { knex } = await createDatabase(t);
  for (let id = 1; id <= 5; id += 1) await seedEvent(knex, id, 40); // old
  await seedEvent(knex, 6, 40); // old, but a repeat chain is still scheduled
  await seedEvent(knex, 7, 1); // recent
  await knex('schedules').insert({
    id: 'repeat:6:a:9',
    kind: 'repeat',
    due_at: new Date(Date.now() + DAY),
    target_topic: 'eventyard.ingest',
    value: Buffer.from('x'),
    event_id: 6,
  });
  const old = new Date(Date.now() - 40 * DAY);
  await knex('transactions').insert([
    { event_id: 100, app_id: 'shop', topic_id: 'order', status: 'commit', event: Buffer.from('e'), callback_interval_ms: 1000, resolved_at: old },
    { event_id: 101, app_id: 'shop', topic_id: 'order', status: 'prepare', event: Buffer.from('e'), callback_interval_ms: 1000, created_at: old },
  ]);
  await knex('outbox').insert([
    { topic: 'eventyard.ingest', value: Buffer.from('v'), published_at: old },
    { topic: 'eventyard.ingest', value: Buffer.from('v'), created_at: old },
  ]);
  await knex('idempotency_keys').insert([
    { app_id: 'shop', topic_id: 'order', key: 'expired', event_id: 1, status: 'done', expires_at: new Date(Date.now() - 1000) },
    // A claim whose holder died before the broker acknowledged: dead once its claim TTL passed.
    { app_id: 'shop', topic_id: 'order', key: 'abandoned', event_id: 2, status: 'in_progress', window_ms: DAY, expires_at: new Date(Date.now() - 1000) },
    { app_id: 'shop', topic_id: 'order', key: 'live', event_id: 7, status: 'done', expires_at: new Date(Date.now() + DAY) },
  ]);

  const result = await pruneHistory(knex, { olderThan: new Date(Date.now() - 30 * DAY), batchSize: 2 });
  assert.deepEqual(result, { events: 5, deliveries: 10, attempts: 10, repeatChains: 0, transactions: 1, outbox: 1, idempotencyKeys: 2 });
  assert.deepEqual((await knex('events').orderBy('event_id').pluck('event_id')).map(Number), [6, 7]);
  assert.equal(await count(knex, 'deliveries'), 4);
  assert.equal(await count(knex, 'delivery_attempts'), 4);
  assert.deepEqual(await knex('transactions').pluck('status'), ['prepare'], 'an unresolved transaction is never pruned');
  assert.equal(await count(knex, 'outbox'), 1, 'an unpublished outbox row is never pruned');
  assert.deepEqual(await knex('idempotency_keys').pluck('key'), ['live']);

  assert.deepEqual(await pruneHistory(knex, { olderThan: new Date(Date.now() - 30 * DAY) }), {
    events: 0,
    deliveries: 0,
    attempts: 0,
    repeatChains: 0,
    transactions: 0,
    outbox: 0,
    idempotencyKeys: 0,
  });
});

test('pruneHistory keeps a running repeat chain between timers and a long delay recorded late, and deletes finished chains', async (t) => {
  const { knex } = await createDatabase(t);
  await seedEvent(knex, 1, 40); // a chain whose next occurrence is on eventyard.schedule, not yet a timer
  await seedEvent(knex, 2, 40); // a chain that ended: its row goes with the event
  await seedEvent(knex, 3, 40); // a cancelled chain
  await seedEvent(knex, 4, 40); // a 40-day delay that fired just now: recorded with its old created_at
  await knex('events').where({ event_id: 4 }).update({ updated_at: knex.fn.now() });
  await knex('repeat_chains').insert([
    { event_id: 1, dispatcher_id: 'a', next_repeat_times: 5, next_due_at: new Date(Date.now() + DAY) },
    { event_id: 2, dispatcher_id: 'a', next_repeat_times: null, next_due_at: null },
    { event_id: 3, dispatcher_id: 'a', next_repeat_times: 2, next_due_at: new Date(Date.now() + DAY), cancelled_at: new Date() },
  ]);
  const result = await pruneHistory(knex, { olderThan: new Date(Date.now() - 30 * DAY) });
  assert.deepEqual([result.events, result.repeatChains], [2, 2]);
  assert.deepEqual((await knex('events').orderBy('event_id').pluck('event_id')).map(Number), [1, 4]);
  assert.deepEqual((await knex('repeat_chains').pluck('event_id')).map(Number), [1]);
  assert.equal(await count(knex, 'deliveries'), 4, 'the kept events keep their deliveries');
});

test('prunePayloads drops old payloads and marks when', async (t) => {
  const { knex } = await createDatabase(t);
  await seedEvent(knex, 1, 10);
  await seedEvent(knex, 2, 10);
  await seedEvent(knex, 3, 1);
  assert.equal(await prunePayloads(knex, { olderThan: new Date(Date.now() - 7 * DAY), batchSize: 1 }), 2);
  const rows = (await knex('events').orderBy('event_id').select('event_id', 'payload', knex.raw('payload_pruned_at IS NOT NULL AS pruned'))) as Array<{
    event_id: string;
    payload: Buffer | null;
    pruned: boolean;
  }>;
  assert.deepEqual(
    rows.map((r) => [r.event_id, r.payload?.toString() ?? null, r.pruned]),
    [
      ['1', null, true],
      ['2', null, true],
      ['3', 'payload-3', false],
    ],
  );
});
