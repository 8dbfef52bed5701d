// Where a kafkajs consumer starts and moves: fromBeginning vs latest for a new group, and seek.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';

test('fromBeginning reads old records, a latest-starting group only new ones, seek moves back', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const client = kafka();
  const topic = randomName('seek');
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `old-${i}` })) });

  const fromStart: string[] = [];
  const early = client.consumer({ groupId: randomName('early'), ...FAST_CONSUMER });
  await early.connect();
  defer(() => early.disconnect());
  await early.subscribe({ topic, fromBeginning: true });
  let sought = false;
  await early.run({
    eachMessage: async ({ message }) => {
      fromStart.push(message.value?.toString() ?? '');
      // After the first pass, jump back to offset 7 once.
      if (fromStart.length === 10 && !sought) {
        sought = true;
        early.seek({ topic, partition: 0, offset: '7' });
      }
    },
  });

  const latest: string[] = [];
  const late = client.consumer({ groupId: randomName('late'), ...FAST_CONSUMER });
  await late.connect();
  defer(() => late.disconnect());
  await late.subscribe({ topic, fromBeginning: false });
  // A completed fetch means the consumer has resolved its starting offset (the log end).
  let lateFetched = false;
  late.on(late.events.FETCH, () => {
    lateFetched = true;
  });
  await late.run({
    eachMessage: async ({ message }) => {
      latest.push(message.value?.toString() ?? '');
    },
  });
  await waitFor('first pass and the seek replay', () => fromStart.length >= 13);
  await waitFor('late consumer positioned', () => lateFetched);
  await producer.send({ topic, messages: [{ value: 'new-0' }] });
  await waitFor('new record seen by both', () => latest.includes('new-0') && fromStart.includes('new-0'));

  assert.deepEqual(fromStart.slice(0, 13), [...Array.from({ length: 10 }, (_, i) => `old-${i}`), 'old-7', 'old-8', 'old-9']);
  assert.deepEqual(latest, ['new-0']);
});
