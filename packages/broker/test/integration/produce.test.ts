// kafkajs producing with acks -1/1/0, gzip, keys and headers; a consumer reads back exactly what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionTypes, type KafkaMessage } from 'kafkajs';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';

test('produce with acks -1, 1 and 0, gzip, keys and headers; consume it all back in order', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const client = kafka();
  const topic = randomName('produce');
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }), true);

  const producer = client.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  defer(() => producer.disconnect());

  const allAcks = await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'k1', value: 'all-1', headers: { trace: 'abc', multi: ['x', 'y'] } },
      { key: null, value: 'all-2' },
    ],
  });
  assert.equal(allAcks[0]?.errorCode, 0);
  assert.equal(allAcks[0]?.baseOffset, '0');
  const leaderAck = await producer.send({ topic, acks: 1, messages: [{ key: 'k2', value: 'leader-1' }] });
  assert.equal(leaderAck[0]?.baseOffset, '2');
  await producer.send({ topic, acks: 0, messages: [{ value: 'none-1' }] });
  const gzip = await producer.send({
    topic,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: Array.from({ length: 50 }, (_, i) => ({ key: `gz-${i}`, value: `gzip-${i}`.repeat(20), headers: { i: String(i) } })),
  });
  // The acks=0 record was appended before this one (one connection, requests in order): offset 4.
  assert.equal(gzip[0]?.baseOffset, '4');

  const received: KafkaMessage[] = [];
  const consumer = client.consumer({ groupId: randomName('g'), ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(message);
    },
  });
  await waitFor('54 messages', () => received.length >= 54);

  assert.deepEqual(
    received.map((m) => m.offset),
    Array.from({ length: 54 }, (_, i) => String(i)),
  );
  assert.deepEqual(
    received.slice(0, 4).map((m) => m.value?.toString()),
    ['all-1', 'all-2', 'leader-1', 'none-1'],
  );
  const first = received[0];
  assert.equal(first?.key?.toString(), 'k1');
  assert.equal(first?.headers?.trace?.toString(), 'abc');
  assert.deepEqual(
    (first?.headers?.multi as Buffer[] | undefined)?.map((b) => b.toString()),
    ['x', 'y'],
  );
  assert.equal(received[1]?.key, null);
  const gz = received.slice(4);
  assert.deepEqual(
    gz.map((m) => m.key?.toString()),
    Array.from({ length: 50 }, (_, i) => `gz-${i}`),
  );
  assert.deepEqual(
    gz.map((m) => m.value?.toString()),
    Array.from({ length: 50 }, (_, i) => `gzip-${i}`.repeat(20)),
  );
  assert.equal(gz[49]?.headers?.i?.toString(), '49');
});

test('producing to a missing topic auto-creates it through metadata', async (t) => {
  const { kafka, defer } = await createBroker(t, { defaultPartitions: 3 });
  const client = kafka();
  const topic = randomName('auto');
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  const sent = await producer.send({ topic, messages: [{ key: 'a', value: '1' }] });
  assert.equal(sent[0]?.errorCode, 0);
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(metadata.topics[0]?.partitions.length, 3);
});

test('producing to a missing topic with auto-creation off fails with UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  const { kafka, defer } = await createBroker(t, { autoCreateTopics: false });
  const client = kafka({ retry: { retries: 1, initialRetryTime: 20 } });
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await assert.rejects(
    producer.send({ topic: randomName('none'), messages: [{ value: 'x' }] }),
    /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION|This server does not host/,
  );
});
