// The delay-scheduler in-process against the project's broker and a fresh database: a timer fires at
// its due time (never before), overdue timers fire at once, duplicates fire once, timers survive a
// restart and a crashed instance's claims, two instances share the work without double firing, a
// missing target topic is retried until it exists, and garbage on the schedule topic is skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureTopics } from '@eventyard/core';
import { insertTimers } from '@eventyard/db';
import { metricValue, scheduleItem, startFixture, waitFor } from './fixture.ts';

const EVENT_ID = '7320000000000000001';

test('a timer due in 2 s is produced to its target topic at its due time, with its headers', async (t) => {
  const f = await startFixture(t);
  const app = await f.startScheduler();
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  const dueAt = Date.now() + 2000;
  await f.produceRaw([
    {
      key: `delay:${EVENT_ID}`,
      value: scheduleItem({ timerId: `delay:${EVENT_ID}`, dueAt, targetTopic: topic, key: 'order-7', value: 'envelope-bytes' }),
      headers: { 'ey-event-id': EVENT_ID, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    },
  ]);
  await reader.until((rs) => rs.length >= 1, 'the fired record');
  const [record] = reader.records;
  assert.ok(record);
  const lateness = record.timestamp - dueAt;
  t.diagnostic(`fired ${lateness} ms after due`);
  assert.ok(lateness >= 0, `fired ${-lateness} ms before due`);
  assert.ok(lateness < 1500, `fired ${lateness} ms late`);
  assert.equal(record.key, 'order-7');
  assert.equal(record.value, 'envelope-bytes');
  assert.equal(record.headers['ey-event-id'], EVENT_ID);
  assert.equal(record.headers['ey-timer-id'], `delay:${EVENT_ID}`);
  assert.equal(record.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  await waitFor(async () => Number((await f.db.knex('schedules').count('* as n').first())?.n) === 0, 10_000, 'the fired timer deleted');
  assert.equal(await metricValue(app.ports.health, 'eventyard_scheduler_timers_fired_total', 'kind="delay"'), 1);
  assert.equal(await metricValue(app.ports.health, 'eventyard_scheduler_fire_lag_seconds_count', 'kind="delay"'), 1);
});

test('an overdue timer fires at once, and a duplicate ScheduleItem fires once', async (t) => {
  const f = await startFixture(t);
  await f.startScheduler();
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  const producedAt = Date.now();
  await f.produceRaw([{ value: scheduleItem({ timerId: 'overdue-1', dueAt: producedAt - 60_000, targetTopic: topic, value: 'late' }) }]);
  await reader.until((rs) => rs.some((r) => r.value === 'late'), 'the overdue record');
  t.diagnostic(`overdue timer fired ${reader.records[0]!.timestamp - producedAt} ms after it was scheduled`);

  // Both copies and then a sentinel on one partition (same key): the sentinel fires after the copies
  // were consumed, so by then a second firing of the duplicate would have happened.
  const dueAt = Date.now() + 1000;
  const copy = { key: 'p', value: scheduleItem({ timerId: 'retry:1:billing:0:1', dueAt, targetTopic: topic, value: 'dup' }) };
  await f.produceRaw([copy, copy]);
  await f.produceRaw([copy, { key: 'p', value: scheduleItem({ timerId: 'sentinel', dueAt: dueAt + 500, targetTopic: topic, value: 'sentinel' }) }]);
  await reader.until((rs) => rs.some((r) => r.value === 'sentinel'), 'the sentinel');
  assert.equal(reader.records.filter((r) => r.value === 'dup').length, 1);
  const dup = reader.records.find((r) => r.value === 'dup');
  assert.ok(dup !== undefined && dup.timestamp >= dueAt, 'the duplicate timer fired not before its due time');
});

test('timers persisted before a stop fire after a restart, and a crashed instance’s claims come back', async (t) => {
  const f = await startFixture(t);
  const first = await f.startScheduler();
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  const dueAt = Date.now() + 4000;
  await f.produceRaw([{ value: scheduleItem({ timerId: 'survivor', dueAt, targetTopic: topic, value: 'survivor' }) }]);
  // Durable and (within the lookahead) claimed into the first instance's memory...
  await waitFor(async () => (await f.db.knex('schedules').where({ id: 'survivor' }).whereNotNull('claimed_by').first()) !== undefined, 10_000, 'the timer claimed');
  // ...then the instance stops before the timer is due: its claim must be handed back, not lost.
  await first.close();
  assert.ok(Date.now() < dueAt, 'the first scheduler stopped before the due time');
  const row = await f.db.knex('schedules').where({ id: 'survivor' }).first();
  assert.equal(row?.claimed_by, null, 'the held claim was released on close');
  assert.equal(reader.records.length, 0);

  // A timer claimed by an instance that died without releasing it: fired once its lease lapses.
  await insertTimers(f.db.knex, [{ id: 'orphan', kind: 'retry', due_at: new Date(Date.now() - 10_000), target_topic: topic, message_key: null, value: Buffer.from('orphan') }]);
  await f.db.knex('schedules').where({ id: 'orphan' }).update({ claimed_by: 'crashed-instance', claimed_until: f.db.knex.raw("now() + interval '1 second'") });

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

test('a missing target topic is retried until it exists; garbage on the schedule topic is skipped', async (t) => {
  const f = await startFixture(t, { autoCreateTopics: false });
  const app = await f.startScheduler({ EY_SCHEDULER_RETRY_BASE_MS: '50', EY_SCHEDULER_RETRY_MAX_MS: '500' });
  const missing = `test.missing.${Date.now()}`;
  const valid = await f.createTopic();
  const reader = await f.readTopic(valid);
  await f.produceRaw([
    { value: Buffer.from([0xff, 0xff, 0xff, 0x01]) }, // not protobuf
    { value: null }, // tombstone
    { value: scheduleItem({ timerId: '', dueAt: Date.now(), targetTopic: valid, value: 'x' }) },
    { value: scheduleItem({ timerId: 'bad-topic', dueAt: Date.now(), targetTopic: 'no spaces allowed', value: 'x' }) },
    { value: scheduleItem({ timerId: 'nul\u0000id', dueAt: Date.now(), targetTopic: valid, value: 'x' }) },
    { value: scheduleItem({ timerId: 'to-missing', dueAt: Date.now(), targetTopic: missing, value: 'eventually' }) },
    { value: scheduleItem({ timerId: 'good', dueAt: Date.now(), targetTopic: valid, value: 'good' }), headers: { 'ey-event-id': 'not-a-number' } },
  ]);
  await reader.until((rs) => rs.some((r) => r.value === 'good'), 'the valid timer after the garbage');
  assert.equal(reader.records[0]?.headers['ey-event-id'], undefined, 'a malformed event id header is not passed on');
  await waitFor(async () => (await metricValue(app.ports.health, 'eventyard_scheduler_schedule_records_total', 'outcome="invalid"')) === 5, 10_000, 'five invalid records counted');
  await waitFor(async () => (await metricValue(app.ports.health, 'eventyard_scheduler_fire_failures_total')) >= 2, 30_000, 'failed produces to the missing topic');
  assert.ok((await f.db.knex('schedules').where({ id: 'to-missing' }).first()) !== undefined, 'the failing timer is kept');

  await ensureTopics(f.kafka, [missing], { partitions: 1 });
  const missingReader = await f.readTopic(missing);
  await missingReader.until((rs) => rs.some((r) => r.value === 'eventually'), 'the retried timer once its topic exists', 30_000);
  assert.equal(missingReader.records.length, 1);
});
