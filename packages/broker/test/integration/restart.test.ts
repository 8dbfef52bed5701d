// A broker closed and started again on the same data dir keeps topics, records and committed offsets:
// a consumer group resumes where it committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBroker, FAST_CONSUMER, randomName, tempDir, waitFor } from './fixture.ts';

test('committed offsets survive a broker restart; the group resumes after its last commit', async (t) => {
  const dataDir = await tempDir(t);
  const topic = randomName('restart');
  const groupId = randomName('group');

  const first = await createBroker(t, { dataDir });
  const client = first.kafka();
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `before-${i}` })) });
  const consumed: string[] = [];
  const consumer = client.consumer({ groupId, ...FAST_CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      consumed.push(message.value?.toString() ?? '');
    },
  });
  await waitFor('first 10', () => consumed.length === 10);
  const admin = client.admin();
  await admin.connect();
  await waitFor('offset 10 committed', async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset === '10');
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  await first.broker.close();

  const second = await createBroker(t, { dataDir });
  const client2 = second.kafka();
  const admin2 = client2.admin();
  await admin2.connect();
  second.defer(() => admin2.disconnect());
  assert.deepEqual(await admin2.fetchOffsets({ groupId, topics: [topic] }), [{ topic, partitions: [{ partition: 0, offset: '10', metadata: null }] }]);
  assert.ok((await admin2.listGroups()).groups.some((g) => g.groupId === groupId));
  const producer2 = client2.producer();
  await producer2.connect();
  second.defer(() => producer2.disconnect());
  await producer2.send({ topic, messages: [{ value: 'after-0' }, { value: 'after-1' }] });
  const resumed: string[] = [];
  const consumer2 = client2.consumer({ groupId, ...FAST_CONSUMER });
  await consumer2.connect();
  second.defer(() => consumer2.disconnect());
  await consumer2.subscribe({ topic, fromBeginning: true });
  await consumer2.run({
    eachMessage: async ({ message }) => {
      resumed.push(message.value?.toString() ?? '');
    },
  });
  await waitFor('records after the commit', () => resumed.length >= 2);
  assert.deepEqual(resumed, ['after-0', 'after-1']);
  assert.deepEqual(await admin2.fetchTopicOffsets(topic), [{ partition: 0, offset: '12', high: '12', low: '0' }]);
});
