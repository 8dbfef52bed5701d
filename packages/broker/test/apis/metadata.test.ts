// Metadata and ListOffsets across versions over raw requests: which topics "all" means per version,
// auto-creation per allow_auto_topic_creation, advertised address and controller, v0 offsets arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '../../src/protocol/index.ts';
import { createBroker, randomName } from '../integration/fixture.ts';
import { buildBatch, RawClient } from '../integration/raw-client.ts';

test('metadata: all topics per version, auto-creation rules, advertised host, controller = this node', async (t) => {
  const { broker, defer } = await createBroker(t, { nodeId: 3, advertisedHost: 'kafka.example', clusterId: 'test-cluster' });
  const client = await RawClient.connect(broker.port);
  defer(async () => client.close());
  const existing = randomName('meta');
  await client.request(ApiKey.CreateTopics, 3, {
    topics: [{ name: existing, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });

  const v0all = await client.request(ApiKey.Metadata, 0, { topics: [] });
  assert.deepEqual(
    v0all.topics.map((t) => t.name),
    [existing],
  );
  const v1all = await client.request(ApiKey.Metadata, 1, { topics: null });
  assert.deepEqual(
    v1all.topics.map((t) => t.name),
    [existing],
  );
  const v1none = await client.request(ApiKey.Metadata, 1, { topics: [] });
  assert.deepEqual(v1none.topics, []);

  const noCreate = randomName('nocreate');
  const refused = await client.request(ApiKey.Metadata, 6, { topics: [{ name: noCreate }], allowAutoTopicCreation: false });
  assert.equal(refused.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const created = randomName('create');
  const v3 = await client.request(ApiKey.Metadata, 3, { topics: [{ name: created }] });
  assert.equal(v3.topics[0]?.errorCode, ErrorCode.NONE);
  assert.equal(v3.topics[0]?.partitions.length, 1);
  const invalid = await client.request(ApiKey.Metadata, 6, { topics: [{ name: 'no spaces allowed' }], allowAutoTopicCreation: true });
  assert.equal(invalid.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);

  const v6 = await client.request(ApiKey.Metadata, 6, { topics: [{ name: existing }], allowAutoTopicCreation: false });
  assert.deepEqual(v6.brokers, [{ nodeId: 3, host: 'kafka.example', port: broker.port, rack: null }]);
  assert.equal(v6.controllerId, 3);
  assert.equal(v6.clusterId, 'test-cluster');
  assert.deepEqual(
    v6.topics[0]?.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]),
    [
      [0, 3, [3], [3]],
      [1, 3, [3], [3]],
    ],
  );
  const coordinator = await client.request(ApiKey.FindCoordinator, 2, { key: 'any-group', keyType: 0 });
  assert.deepEqual([coordinator.nodeId, coordinator.host, coordinator.port], [3, 'kafka.example', broker.port]);
});

test('list offsets: latest, earliest and by timestamp, v0 offset arrays, after DeleteRecords', async (t) => {
  const { broker, defer } = await createBroker(t);
  const client = await RawClient.connect(broker.port);
  defer(async () => client.close());
  const topic = randomName('offsets');
  await client.request(ApiKey.CreateTopics, 0, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }],
    timeoutMs: 5000,
  });
  for (let i = 0; i < 3; i++) {
    await client.request(ApiKey.Produce, 3, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: await buildBatch([`v${i}`]) }] }],
    });
  }
  const list = async (version: number, timestamp: bigint) =>
    (
      await client.request(ApiKey.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets: 1 }] }],
      })
    ).topics[0]?.partitions[0];
  assert.equal((await list(3, -1n))?.offset, 3n);
  assert.equal((await list(1, -2n))?.offset, 0n);
  assert.deepEqual((await list(0, -1n))?.oldStyleOffsets, [3n]);
  assert.equal((await list(2, 0n))?.offset, 0n);
  assert.equal((await list(2, BigInt(Date.now() + 3_600_000)))?.offset, -1n);

  const deleted = await client.request(ApiKey.DeleteRecords, 1, {
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 2n }] }],
    timeoutMs: 5000,
  });
  assert.equal(deleted.topics[0]?.partitions[0]?.lowWatermark, 2n);
  assert.equal((await list(3, -2n))?.offset, 2n);
  const tooFar = await client.request(ApiKey.DeleteRecords, 0, {
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 99n }] }],
    timeoutMs: 5000,
  });
  assert.equal(tooFar.topics[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
});
