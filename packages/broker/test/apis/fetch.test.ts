// Fetch semantics over raw requests: long poll woken by an append, the same topic twice in one
// request, KIP-74 byte limits (one whole batch even above max_bytes, partition limits for the rest),
// read_committed, and per-partition errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, type FetchRequest } from '../../src/protocol/index.ts';
import { createBroker, randomName, waitFor } from '../integration/fixture.ts';
import { buildBatch, RawClient } from '../integration/raw-client.ts';

async function setup(t: Parameters<typeof createBroker>[0]) {
  const { broker, kafka, defer } = await createBroker(t);
  const bytesIn = async () => Number(/^eventyard_broker_bytes_in_total (\d+)/m.exec(await broker.metrics())?.[1] ?? 0);
  const topic = randomName('fetch');
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const client = await RawClient.connect(broker.port);
  defer(async () => client.close());
  const fetcher = await RawClient.connect(broker.port);
  defer(async () => fetcher.close());
  const produce = async (partition: number, values: string[]) => {
    const records = await buildBatch(values);
    const response = await client.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    assert.equal(response.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE);
    return records.length;
  };
  const fetch = (version: number, body: Partial<FetchRequest> & Pick<FetchRequest, 'topics'>) =>
    fetcher.request(ApiKey.Fetch, version, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      forgottenTopicsData: [],
      rackId: '',
      ...body,
    });
  return { topic, produce, fetch, bytesIn };
}

const part = (partition: number, fetchOffset: bigint, partitionMaxBytes = 1 << 20) => ({
  partition,
  currentLeaderEpoch: -1,
  fetchOffset,
  logStartOffset: -1n,
  partitionMaxBytes,
});

test('a long poll at the high watermark is woken by an append', async (t) => {
  const { topic, produce, fetch, bytesIn } = await setup(t);
  await produce(0, ['a']);
  const before = await bytesIn();
  const waiting = fetch(11, { maxWaitMs: 20_000, topics: [{ topic, partitions: [part(0, 1n)] }] });
  // The broker parks the fetch in the same tick it reads the frame: once its bytes are counted, it waits.
  await waitFor('fetch received', async () => (await bytesIn()) > before);
  await produce(0, ['b']);
  const response = await waiting;
  const p = response.responses[0]?.partitions[0];
  assert.equal(p?.errorCode, ErrorCode.NONE);
  assert.equal(p?.highWatermark, 2n);
  assert.ok((p?.records?.length ?? 0) > 0, 'the new batch came back before the 20 s max wait');
  const idle = await fetch(11, { maxWaitMs: 50, topics: [{ topic, partitions: [part(0, 2n)] }] });
  assert.equal(idle.responses[0]?.partitions[0]?.records?.length, 0);
});

test('the same topic twice, one whole batch above max_bytes, partition limits, read_committed', async (t) => {
  const { topic, produce, fetch } = await setup(t);
  const big = await produce(0, ['x'.repeat(500), 'y'.repeat(500)]);
  await produce(0, ['z']);
  await produce(1, ['w']);

  const twice = await fetch(11, {
    topics: [
      { topic, partitions: [part(0, 0n)] },
      { topic, partitions: [part(1, 0n)] },
    ],
  });
  assert.deepEqual(
    twice.responses.map((r) => [r.topic, r.partitions.map((p) => p.partitionIndex)]),
    [
      [topic, [0]],
      [topic, [1]],
    ],
  );

  // max_bytes 1: the first non-empty partition still yields its first whole batch, nothing else fits.
  const tiny = await fetch(11, { maxBytes: 1, topics: [{ topic, partitions: [part(0, 0n), part(1, 0n)] }] });
  assert.equal(tiny.responses[0]?.partitions[0]?.records?.length, big);
  assert.equal(tiny.responses[0]?.partitions[1]?.records?.length, 0);
  assert.equal(tiny.responses[0]?.partitions[1]?.highWatermark, 1n);

  // partition_max_bytes: partition 0 (first) still gets one batch, partition 1 gets nothing under its 1-byte limit.
  const limited = await fetch(11, { topics: [{ topic, partitions: [part(0, 0n, 10), part(1, 0n, 1)] }] });
  assert.equal(limited.responses[0]?.partitions[0]?.records?.length, big);
  assert.equal(limited.responses[0]?.partitions[1]?.records?.length, 0);

  const committed = await fetch(11, { isolationLevel: 1, topics: [{ topic, partitions: [part(0, 0n)] }] });
  const p = committed.responses[0]?.partitions[0];
  assert.deepEqual(p?.abortedTransactions, []);
  assert.equal(p?.lastStableOffset, p?.highWatermark);
  assert.equal(p?.logStartOffset, 0n);

  const v4 = await fetch(4, { topics: [{ topic, partitions: [part(0, 2n)] }] });
  assert.equal(v4.responses[0]?.partitions[0]?.lastStableOffset, 3n);
});

test('per-partition errors: offset out of range, unknown topic; unknown fetch session', async (t) => {
  const { topic, produce, fetch } = await setup(t);
  await produce(0, ['a']);
  const response = await fetch(11, {
    maxWaitMs: 10_000,
    topics: [
      { topic, partitions: [part(0, 99n)] },
      { topic: 'no-such-topic', partitions: [part(0, 0n)] },
    ],
  });
  assert.equal(response.responses[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal(response.responses[1]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const session = await fetch(11, { sessionId: 1234, sessionEpoch: 3, topics: [] });
  assert.equal(session.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
});
