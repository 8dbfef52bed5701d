// startBroker's own duties: the retention timer, and a close() that does not wait out its grace period
// for clients that are still connected and long-polling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './integration/fixture.ts';

test('the retention timer deletes expired segments', async (t) => {
  const { kafka, defer } = await createBroker(t, { retentionCheckIntervalMs: 50 });
  const client = kafka();
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const topic = randomName('retention');
  // 1 KiB segments and records older than the 1 ms retention: every rolled segment expires at once.
  await admin.createTopics({
    topics: [
      {
        topic,
        configEntries: [
          { name: 'segment.bytes', value: '1024' },
          { name: 'retention.ms', value: '1' },
        ],
      },
    ],
  });
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  for (let i = 0; i < 5; i++) await producer.send({ topic, messages: [{ value: 'r'.repeat(600) }] });
  await waitFor('old segments deleted', async () => Number((await admin.fetchTopicOffsets(topic))[0]?.low ?? 0) > 0);
  assert.equal((await admin.fetchTopicOffsets(topic))[0]?.high, '5');
});

test('close answers parked long polls and ends connections without waiting out the grace period', { timeout: 20_000 }, async (t) => {
  const { kafka, broker, defer } = await createBroker(t, { closeGraceMs: 60_000 });
  const client = kafka({ retry: { retries: 0 } });
  const topic = randomName('close');
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await producer.send({ topic, messages: [{ value: 'x' }] });
  const consumer = client.consumer({ groupId: randomName('g'), ...FAST_CONSUMER, maxWaitTimeInMs: 30_000 });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  await consumer.run({
    eachMessage: async () => {
      got++;
    },
  });
  await waitFor('consumed, now long-polling', () => got === 1);
  await broker.close();
  assert.equal(broker.state, 'closed');
});
