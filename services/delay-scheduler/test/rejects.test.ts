// Nothing is skipped silently: a schedule record that is not a valid timer, one Postgres refuses, and a
// due timer too large for Kafka each go to eventyard.dead with the reason and where they came from, and
// their event gets status `rejected` (GET /v1/events/:id answers). Timers are produced in requests under
// EY_KAFKA_MAX_BATCH_BYTES.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { getEventHistory } from '@eventyard/db';
import type { KafkaMessage } from 'kafkajs';
import { scheduleItem, startFixture, waitFor } from './fixture.ts';

const LIMIT = 16 * 1024;

test('the scheduler dead-letters what it cannot keep or fire, records why, and splits its produce requests', async (t) => {
  const f = await startFixture(t);
  // A real Postgres refusal for the row-by-row path: this kind is refused by a CHECK like any data error.
  await f.db.knex.raw(`ALTER TABLE schedules ADD CONSTRAINT test_refused_kind CHECK (kind <> 'refuse-me')`);
  await f.startScheduler({ EY_KAFKA_MAX_BATCH_BYTES: String(LIMIT), EY_SCHEDULER_RETRY_BASE_MS: '50' });
  const dead = await f.readTopic(Topics.dead);
  const target = await f.createTopic();
  const reader = await f.readTopic(target);
  const reasonOf = async (eventId: string) => (await getEventHistory(f.db.knex, eventId))?.event;
  // The dead letter is produced first and the event's history row written after it, so a reader who has
  // seen the dead letter may still be a moment early for the row.
  const rejected = async (eventId: string) => {
    await waitFor(async () => (await reasonOf(eventId))?.status === 'rejected', 10_000, `event ${eventId} recorded rejected`);
    return reasonOf(eventId);
  };

  await t.test('an invalid schedule record: dead letter with its source, and a rejected event', async () => {
    await f.produceRaw([
      {
        key: 'delay:4242',
        value: scheduleItem({ timerId: 'nul\u0000id', dueAt: Date.now(), targetTopic: target, value: 'x' }),
        headers: { 'ey-event-id': '4242' },
      },
      { value: scheduleItem({ timerId: 'after-invalid', dueAt: Date.now(), targetTopic: target, value: 'after-invalid' }) },
    ]);
    await reader.until((rs) => rs.some((r) => r.value === 'after-invalid'), 'the valid timer after it');
    await dead.until((rs) => rs.some((r) => r.headers['ey-event-id'] === '4242'), 'the dead letter');
    const letter = dead.records.find((r) => r.headers['ey-event-id'] === '4242');
    assert.equal(letter?.headers['ey-error-code'], 'EY_SCHEDULE_RECORD_INVALID');
    assert.equal(letter?.headers['eventyard-source-topic'], Topics.schedule);
    assert.match(letter?.headers['eventyard-source-partition'] ?? '', /^\d+$/);
    assert.match(letter?.headers['eventyard-source-offset'] ?? '', /^\d+$/);
    assert.match(letter?.headers['eventyard-reason'] ?? '', /timer_id contains a NUL character/);
    assert.equal(letter?.key, 'delay:4242', 'the record as read');
    const event = await rejected('4242');
    assert.equal(event?.status, 'rejected');
    assert.match(event?.status_reason ?? '', /timer_id contains a NUL character/);
  });

  await t.test('a timer Postgres refuses: dead letter and a rejected event; the rest of the batch is kept', async () => {
    await f.produceRaw([
      {
        key: 'refused',
        value: scheduleItem({ timerId: 'refused', kind: 'refuse-me', dueAt: Date.now(), targetTopic: target, value: 'never' }),
        headers: { 'ey-event-id': '4343' },
      },
      { value: scheduleItem({ timerId: 'after-refused', dueAt: Date.now(), targetTopic: target, value: 'after-refused' }) },
    ]);
    await reader.until((rs) => rs.some((r) => r.value === 'after-refused'), 'the valid timer after it');
    await dead.until((rs) => rs.some((r) => r.headers['ey-event-id'] === '4343'), 'the dead letter');
    const letter = dead.records.find((r) => r.headers['ey-event-id'] === '4343');
    assert.match(
      letter?.headers['eventyard-reason'] ?? '',
      /^the database refused the timer: new row for relation "schedules" violates check constraint "test_refused_kind" \(23514\)$/,
    );
    assert.equal((await rejected('4343'))?.status, 'rejected');
    assert.ok(!reader.records.some((r) => r.value === 'never'));
  });

  await t.test('a due timer too large for EY_KAFKA_MAX_BATCH_BYTES: dead letter without the value, rejected event, timer gone', async () => {
    await f.produceRaw([
      { value: scheduleItem({ timerId: 'huge', dueAt: Date.now(), targetTopic: target, value: 'h'.repeat(LIMIT + 100) }), headers: { 'ey-event-id': '4444' } },
      { value: scheduleItem({ timerId: 'small-beside-huge', dueAt: Date.now(), targetTopic: target, value: 'small' }) },
    ]);
    await reader.until((rs) => rs.some((r) => r.value === 'small'), 'the small timer');
    await dead.until((rs) => rs.some((r) => r.headers['ey-event-id'] === '4444'), 'the dead letter');
    const letter = dead.records.find((r) => r.headers['ey-event-id'] === '4444');
    assert.equal(letter?.headers['ey-error-code'], 'EY_RECORD_TOO_LARGE');
    assert.equal(letter?.value, '', 'key and headers only');
    assert.equal(letter?.headers['eventyard-dropped-value-bytes'], String(LIMIT + 100));
    assert.equal(letter?.headers['ey-timer-id'], 'huge');
    assert.equal((await rejected('4444'))?.status, 'rejected');
    await waitFor(async () => (await f.db.knex('schedules').where({ id: 'huge' }).first()) === undefined, 10_000, 'the timer is done, not retried');
  });

  await t.test('many due timers go out in produce requests under the limit, all of them, in order', async () => {
    const topic = await f.createTopic('split');
    const batches = new Map<string, number>();
    const values: string[] = [];
    const consumer = f.kafka.consumer({ groupId: `split-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        // Each record batch the scheduler produced keeps its first offset: records sharing it came in one request.
        const first = (message as KafkaMessage & { batchContext?: { firstOffset: string } }).batchContext?.firstOffset ?? message.offset;
        batches.set(first, (batches.get(first) ?? 0) + (message.value?.length ?? 0));
        values.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    const dueAt = Date.now() + 1500;
    const expected = Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}${'v'.repeat(3000)}`);
    // One key: one partition, so the order is observable.
    await f.produceRaw(
      expected.map((value, i) => ({ value: scheduleItem({ timerId: `split-${i}`, key: 'same', dueAt: dueAt + i, targetTopic: topic, value }) })),
    );
    await waitFor(() => values.length >= expected.length, 20_000, 'every timer fired');
    // Before the fixture's teardown stops the broker.
    await consumer.disconnect();
    assert.deepEqual(
      values.map((v) => v.slice(0, 2)),
      expected.map((v) => v.slice(0, 2)),
    );
    assert.ok(batches.size >= Math.ceil((24 * 3000) / LIMIT), `${batches.size} record batches`);
    for (const bytes of batches.values()) assert.ok(bytes <= LIMIT, `a record batch of ${bytes} value bytes`);
  });
});
