// Bad input and failures: garbage on the schedule topic is logged, counted and dead-lettered without
// stalling the partition, and a timer whose target topic is missing is retried until the topic exists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureTopics } from '@eventyard/core';
import { metricValue, scheduleItem, startFixture, waitFor } from './fixture.ts';

test('a missing target topic is retried until it exists; garbage on the schedule topic does not stall it', async (t) => {
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
  await waitFor(
    async () => (await metricValue(app.ports.health, 'eventyard_scheduler_schedule_records_total', 'outcome="invalid"')) === 5,
    10_000,
    'five invalid records counted',
  );
  await waitFor(
    async () => (await metricValue(app.ports.health, 'eventyard_scheduler_fire_failures_total')) >= 2,
    30_000,
    'failed produces to the missing topic',
  );
  assert.ok((await f.db.knex('schedules').where({ id: 'to-missing' }).first()) !== undefined, 'the failing timer is kept');

  await ensureTopics(f.kafka, [missing], { partitions: 1 });
  const missingReader = await f.readTopic(missing);
  await missingReader.until((rs) => rs.some((r) => r.value === 'eventually'), 'the retried timer once its topic exists', 30_000);
  assert.equal(missingReader.records.length, 1);
});
