// A hand-off record the broker refuses as too large (issue #14 item 5c): a retry carrying a large
// pass_back would be refused on every try and stall the processor's partition; it is dead-lettered
// without its value instead, naming the code and the size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureTopics, silentLogger, Topics } from '@eventyard/core';
import { readTopic, startTestBroker } from '@eventyard/broker/testing';
import { decodeMessage, type DeliveryTask__Output } from '@eventyard/proto';
import { Kafka, logLevel } from 'kafkajs';
import { HandOff } from '../../src/delivery/hand-off.ts';
import { task } from '../fixture.ts';

test('a retry too large for the schedule topic goes to the dead-letter topic without its value, not into a retry loop', async (t) => {
  // A broker as strict as a default Kafka, only smaller, so the test stays light.
  const broker = await startTestBroker({ messageMaxBytes: 20_000 });
  t.after(() => broker.close());
  const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, [Topics.schedule, Topics.dead], { partitions: 1 });
  const handOff = new HandOff({ kafka, timeoutMs: 10_000, logger: silentLogger() });
  await handOff.start();
  t.after(() => handOff.close());

  const large = decodeMessage('eventyard.v1.DeliveryTask', Buffer.from([])) as DeliveryTask__Output;
  Object.assign(large, task('9001', 'payload', { dispatcher_id: 'big' }));
  // A retry that fits is scheduled; one that cannot is reported as not scheduled (the runner then records
  // the delivery dead rather than waiting for a timer that will never fire).
  const small = await handOff.scheduleRetry({
    task: large,
    key: Buffer.from('9001'),
    retryTimes: 1,
    dueAt: new Date(Date.now() + 60_000),
    passBack: Buffer.alloc(10, 7),
  });
  assert.equal(small, 'retry:9001:big:0:1');
  const refused = await handOff.scheduleRetry({
    task: large,
    key: Buffer.from('9001'),
    retryTimes: 2,
    dueAt: new Date(Date.now() + 60_000),
    passBack: Buffer.alloc(50_000, 7),
  });
  assert.equal(refused, null);

  const dead = await readTopic(kafka, Topics.dead, (records) => records.length >= 1, 15_000);
  assert.equal(dead.length, 1);
  const letter = dead[0];
  assert.ok(letter !== undefined);
  assert.equal(letter.headers['ey-error-code'], 'EY_RECORD_TOO_LARGE');
  assert.equal(letter.headers['ey-event-id'], '9001');
  assert.equal(letter.headers['ey-refused-topic'], Topics.schedule);
  assert.ok(Number(letter.headers['eventyard-dropped-value-bytes']) > 50_000, JSON.stringify(letter.headers));
  assert.equal(letter.value.length, 0);
  // Only the small retry reached the schedule topic: no timer would fire for the refused one.
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const offsets = await admin.fetchTopicOffsets(Topics.schedule);
  assert.deepEqual(
    offsets.map((o) => o.high),
    ['1'],
  );
});
