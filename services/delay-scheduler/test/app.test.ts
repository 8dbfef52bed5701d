// The delay-scheduler in-process against the project's broker and a fresh database: a timer fires at
// its due time (never before), overdue timers fire at once, and a duplicate ScheduleItem fires once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
