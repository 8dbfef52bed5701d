// Idempotent producers: kafkajs's own idempotent mode end to end, then raw Produce requests that
// resend a batch (acked with its original offset, stored once), skip a sequence
// (OUT_OF_ORDER_SEQUENCE_NUMBER) or use a fenced epoch (INVALID_PRODUCER_EPOCH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '../../src/protocol/index.ts';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';
import { buildBatch, RawClient } from './raw-client.ts';

test('a kafkajs idempotent producer gets a producer id and its records land once', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const client = kafka();
  const topic = randomName('idem');
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(() => producer.disconnect());
  for (let i = 0; i < 5; i++) await producer.send({ topic, messages: [{ value: `v${i}` }, { value: `w${i}` }] });
  const values: string[] = [];
  const consumer = client.consumer({ groupId: randomName('g'), ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  await waitFor('10 records', () => values.length >= 10);
  assert.deepEqual(values, ['v0', 'w0', 'v1', 'w1', 'v2', 'w2', 'v3', 'w3', 'v4', 'w4']);
});

test('raw idempotent produce: duplicate acked with the original offset, gap and fenced epoch refused', async (t) => {
  const { kafka, defer, broker } = await createBroker(t);
  const topic = randomName('raw-idem');
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const raw = await RawClient.connect(broker.port);
  defer(async () => raw.close());

  const init = await raw.request(ApiKey.InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
  assert.equal(init.errorCode, ErrorCode.NONE);
  const producerId = init.producerId;
  assert.ok(producerId >= 0n);
  const transactional = await raw.request(ApiKey.InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60_000 });
  assert.notEqual(transactional.errorCode, ErrorCode.NONE, 'transactions are not supported');

  const produce = async (records: Buffer) => {
    const response = await raw.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    const p = response.responses[0]?.partitionResponses[0];
    assert.ok(p !== undefined);
    return p;
  };
  const epoch0 = (firstSequence: number) => ({ producerId, producerEpoch: 0, firstSequence });

  const first = await produce(await buildBatch(['a', 'b', 'c'], epoch0(0)));
  assert.equal(first.errorCode, ErrorCode.NONE);
  assert.equal(first.baseOffset, 0n);
  const second = await produce(await buildBatch(['d'], epoch0(3)));
  assert.equal(second.baseOffset, 3n);

  // The first batch again (a retry after a lost response): acked with its original offset, not stored.
  const duplicate = await produce(await buildBatch(['a', 'b', 'c'], epoch0(0)));
  assert.equal(duplicate.errorCode, ErrorCode.NONE);
  assert.equal(duplicate.baseOffset, 0n);

  // Sequence 10 when 4 is expected: a gap.
  const gap = await produce(await buildBatch(['x'], epoch0(10)));
  assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);

  // Epoch 1 takes over; epoch 0 is then fenced.
  const bumped = await produce(await buildBatch(['e'], { producerId, producerEpoch: 1, firstSequence: 0 }));
  assert.equal(bumped.errorCode, ErrorCode.NONE);
  assert.equal(bumped.baseOffset, 4n);
  const fenced = await produce(await buildBatch(['y'], epoch0(4)));
  assert.equal(fenced.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);

  const offsets = await admin.fetchTopicOffsets(topic);
  assert.equal(offsets[0]?.high, '5', 'a, b, c, d, e: nothing duplicated, nothing refused stored');
});
