// Durability of timers: they survive a stop/restart and a crashed instance's claim (overdue timers
// always fire), and two instances on one database fire every timer exactly once between them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertTimers } from '@eventyard/db';
import { metricValue, scheduleItem, startFixture, waitFor } from './fixture.ts';

test('timers persisted before a stop fire after a restart, and a crashed instance’s claims come back', async (t) => {
  const f = await startFixture(t);
  const first = await f.startScheduler();
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  const dueAt = Date.now() + 4000;
  await f.produceRaw([{ value: scheduleItem({ timerId: 'survivor', dueAt, targetTopic: topic, value: 'survivor' }) }]);
  // Durable and (within the lookahead) claimed into the first instance's memory...
  await waitFor(
    async () => (await f.db.knex('schedules').where({ id: 'survivor' }).whereNotNull('claimed_by').first()) !== undefined,
    10_000,
    'the timer claimed',
  );
  // ...then the instance stops before the timer is due: its claim must be handed back, not lost.
  await first.close();
  assert.ok(Date.now() < dueAt, 'the first scheduler stopped before the due time');
  const row = await f.db.knex('schedules').where({ id: 'survivor' }).first();
  assert.equal(row?.claimed_by, null, 'the held claim was released on close');
  assert.equal(reader.records.length, 0);

  // A timer claimed by an instance that died without releasing it: fired once its lease lapses.
  await insertTimers(f.db.knex, [
    { id: 'orphan', kind: 'retry', due_at: new Date(Date.now() - 10_000), target_topic: topic, message_key: null, value: Buffer.from('orphan') },
  ]);
  await f.db
    .knex('schedules')
    .where({ id: 'orphan' })
    .update({ claimed_by: 'crashed-instance', claimed_until: f.db.knex.raw("now() + interval '1 second'") });

  // Restart after the due time has passed: the overdue timer fires promptly.
  await waitFor(() => Date.now() > dueAt + 200, 5000, 'the due time to pass');
  const restartedAt = Date.now();
  await f.startScheduler();
  await reader.until((rs) => rs.some((r) => r.value === 'survivor') && rs.some((r) => r.value === 'orphan'), 'both timers after the restart');
  const survivor = reader.records.find((r) => r.value === 'survivor')!;
  t.diagnostic(`overdue timer fired ${survivor.timestamp - restartedAt} ms after the restart began`);
  assert.equal(reader.records.length, 2);
  await waitFor(async () => Number((await f.db.knex('schedules').count('* as n').first())?.n) === 0, 10_000, 'the table empty');
});

test('two scheduler instances on one database fire every timer once', async (t) => {
  const f = await startFixture(t);
  const a = await f.startScheduler();
  const b = await f.startScheduler();
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  const count = 200;
  const now = Date.now();
  // Overdue, near-term and a little later: exercises both the claim race and the in-memory holds.
  await f.produceRaw(
    Array.from({ length: count }, (_, i) => ({
      key: `t-${i}`,
      value: scheduleItem({ timerId: `t-${i}`, dueAt: now - 1000 + (i % 20) * 150, targetTopic: topic, value: `v-${i}` }),
    })),
  );
  await reader.until((rs) => new Set(rs.map((r) => r.value)).size === count, `${count} distinct timers`);
  await waitFor(async () => Number((await f.db.knex('schedules').count('* as n').first())?.n) === 0, 10_000, 'the table empty');
  assert.equal(reader.records.length, count, 'no timer fired twice');
  const firedA = await metricValue(a.ports.health, 'eventyard_scheduler_timers_fired_total', 'kind="delay"');
  const firedB = await metricValue(b.ports.health, 'eventyard_scheduler_timers_fired_total', 'kind="delay"');
  t.diagnostic(`instance a fired ${firedA}, instance b fired ${firedB}`);
  assert.equal(firedA + firedB, count);
});
