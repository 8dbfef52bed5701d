// Every advertised request version, encoded by kafkajs 2.2.4's own request builders (it has one for
// each version we advertise) and decoded by decodeRequestHeader + decodeRequest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiKey, SUPPORTED_VERSIONS, decodeRequest, decodeRequestHeader, type ProduceRequest } from '../../src/protocol/index.ts';
import { kafkajsFrame, requestBuilder } from './kafkajs.ts';

interface RequestCase {
  api: string;
  apiKey: number;
  args: Record<string, unknown> | string[];
  /** What decodeRequest returns for `args` at version `v`. */
  expected(v: number): Record<string, unknown>;
}

const meta = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115]);
const assignment = Buffer.from([0, 1, 0, 0, 0, 0]);

const CASES: RequestCase[] = [
  {
    api: 'fetch',
    apiKey: ApiKey.Fetch,
    args: {
      replicaId: -1,
      maxWaitTime: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      rackId: 'rack-a',
      topics: [
        { topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', logStartOffset: '-1', maxBytes: 1048576 }] },
        { topic: 'orders', partitions: [{ partition: 1, currentLeaderEpoch: 3, fetchOffset: '7', logStartOffset: '2', maxBytes: 1024 }] },
      ],
    },
    expected: (v) => ({
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 0,
      ...(v >= 7 ? { sessionId: 0, sessionEpoch: -1 } : {}),
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 0,
              ...(v >= 9 ? { currentLeaderEpoch: -1 } : {}),
              fetchOffset: 42n,
              ...(v >= 5 ? { logStartOffset: -1n } : {}),
              partitionMaxBytes: 1048576,
            },
          ],
        },
        {
          topic: 'orders',
          partitions: [
            { partition: 1, ...(v >= 9 ? { currentLeaderEpoch: 3 } : {}), fetchOffset: 7n, ...(v >= 5 ? { logStartOffset: 2n } : {}), partitionMaxBytes: 1024 },
          ],
        },
      ],
      ...(v >= 7 ? { forgottenTopicsData: [] } : {}),
      ...(v >= 11 ? { rackId: 'rack-a' } : {}),
    }),
  },
  {
    api: 'listOffsets',
    apiKey: ApiKey.ListOffsets,
    args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 2, timestamp: -2 }] }] },
    expected: (v) => ({
      replicaId: -1,
      ...(v >= 2 ? { isolationLevel: 1 } : {}),
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, timestamp: -2n, ...(v === 0 ? { maxNumOffsets: 1 } : {}) }] }],
    }),
  },
  {
    api: 'metadata',
    apiKey: ApiKey.Metadata,
    args: { topics: ['orders', 'ünïcødé'], allowAutoTopicCreation: false },
    expected: (v) => ({ topics: [{ name: 'orders' }, { name: 'ünïcødé' }], ...(v >= 4 ? { allowAutoTopicCreation: false } : {}) }),
  },
  {
    api: 'offsetCommit',
    apiKey: ApiKey.OffsetCommit,
    args: {
      groupId: 'g1',
      groupGenerationId: 4,
      memberId: 'member-1',
      retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '100', timestamp: 1700000000000, metadata: null }] }],
    },
    expected: (v) => ({
      groupId: 'g1',
      ...(v >= 1 ? { generationIdOrMemberEpoch: 4, memberId: 'member-1' } : {}),
      ...(v >= 2 && v <= 4 ? { retentionTimeMs: -1n } : {}),
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, committedOffset: 100n, ...(v === 1 ? { commitTimestamp: 1700000000000n } : {}), committedMetadata: null }],
        },
      ],
    }),
  },
  {
    api: 'offsetFetch',
    apiKey: ApiKey.OffsetFetch,
    args: { groupId: 'g1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 5 }] }] },
    expected: () => ({ groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0, 5] }] }),
  },
  {
    api: 'findCoordinator',
    apiKey: ApiKey.FindCoordinator,
    args: { groupId: 'g1', coordinatorKey: 'g1', coordinatorType: 0 },
    expected: (v) => ({ key: 'g1', ...(v >= 1 ? { keyType: 0 } : {}) }),
  },
  {
    api: 'joinGroup',
    apiKey: ApiKey.JoinGroup,
    args: {
      groupId: 'g1',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    },
    expected: (v) => ({
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      ...(v >= 1 ? { rebalanceTimeoutMs: 60000 } : {}),
      memberId: '',
      ...(v >= 5 ? { groupInstanceId: null } : {}),
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    }),
  },
  {
    api: 'heartbeat',
    apiKey: ApiKey.Heartbeat,
    args: { groupId: 'g1', groupGenerationId: 2, memberId: 'member-1', groupInstanceId: 'static-1' },
    expected: (v) => ({ groupId: 'g1', generationId: 2, memberId: 'member-1', ...(v >= 3 ? { groupInstanceId: 'static-1' } : {}) }),
  },
  {
    api: 'leaveGroup',
    apiKey: ApiKey.LeaveGroup,
    args: { groupId: 'g1', memberId: 'member-1', members: [{ memberId: 'member-1' }, { memberId: 'member-2', groupInstanceId: 'static-2' }] },
    expected: (v) =>
      v >= 3
        ? {
            groupId: 'g1',
            members: [
              { memberId: 'member-1', groupInstanceId: null },
              { memberId: 'member-2', groupInstanceId: 'static-2' },
            ],
          }
        : { groupId: 'g1', memberId: 'member-1' },
  },
  {
    api: 'syncGroup',
    apiKey: ApiKey.SyncGroup,
    args: { groupId: 'g1', generationId: 2, memberId: 'member-1', groupAssignment: [{ memberId: 'member-1', memberAssignment: assignment }] },
    expected: (v) => ({
      groupId: 'g1',
      generationId: 2,
      memberId: 'member-1',
      ...(v >= 3 ? { groupInstanceId: null } : {}),
      assignments: [{ memberId: 'member-1', assignment }],
    }),
  },
  { api: 'describeGroups', apiKey: ApiKey.DescribeGroups, args: { groupIds: ['g1', 'g2'] }, expected: () => ({ groups: ['g1', 'g2'] }) },
  { api: 'listGroups', apiKey: ApiKey.ListGroups, args: {}, expected: () => ({}) },
  { api: 'apiVersions', apiKey: ApiKey.ApiVersions, args: {}, expected: () => ({}) },
  {
    api: 'createTopics',
    apiKey: ApiKey.CreateTopics,
    args: {
      timeout: 5000,
      validateOnly: true,
      topics: [
        { topic: 'orders', numPartitions: 6, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '1000' }] },
        { topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [0] }] },
      ],
    },
    expected: (v) => ({
      topics: [
        { name: 'orders', numPartitions: 6, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'assigned', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [0] }], configs: [] },
      ],
      timeoutMs: 5000,
      ...(v >= 1 ? { validateOnly: true } : {}),
    }),
  },
  {
    api: 'deleteTopics',
    apiKey: ApiKey.DeleteTopics,
    args: { topics: ['a', 'b'], timeout: 3000 },
    expected: () => ({ topicNames: ['a', 'b'], timeoutMs: 3000 }),
  },
  {
    api: 'deleteRecords',
    apiKey: ApiKey.DeleteRecords,
    args: { topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '30' }] }], timeout: 4000 },
    expected: () => ({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 30n }] }], timeoutMs: 4000 }),
  },
  {
    api: 'initProducerId',
    apiKey: ApiKey.InitProducerId,
    args: { transactionalId: null, transactionTimeout: 30000 },
    expected: () => ({ transactionalId: null, transactionTimeoutMs: 30000 }),
  },
  {
    api: 'describeConfigs',
    apiKey: ApiKey.DescribeConfigs,
    args: {
      resources: [
        { type: 2, name: 'orders', configNames: ['retention.ms'] },
        { type: 2, name: 'all', configNames: [] },
      ],
      includeSynonyms: true,
    },
    // kafkajs writes an empty nullable array as null (-1): "all configs".
    expected: (v) => ({
      resources: [
        { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] },
        { resourceType: 2, resourceName: 'all', configurationKeys: null },
      ],
      ...(v >= 1 ? { includeSynonyms: true } : {}),
    }),
  },
  {
    api: 'createPartitions',
    apiKey: ApiKey.CreatePartitions,
    args: { topicPartitions: [{ topic: 'orders', count: 8, assignments: [[0], [0]] }], validateOnly: false, timeout: 2000 },
    expected: () => ({
      topics: [{ name: 'orders', count: 8, assignments: [{ brokerIds: [0] }, { brokerIds: [0] }] }],
      timeoutMs: 2000,
      validateOnly: false,
    }),
  },
  { api: 'deleteGroups', apiKey: ApiKey.DeleteGroups, args: ['g1', 'g2'], expected: () => ({ groupsNames: ['g1', 'g2'] }) },
];

async function decodeKafkajsRequest(api: string, apiKey: number, version: number, args: unknown) {
  const request = requestBuilder(api, version)(args);
  assert.equal(request.apiKey, apiKey);
  assert.equal(request.apiVersion, version);
  const frame = await kafkajsFrame(request, 991, 'kafkajs-client');
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const { header, bodyOffset } = decodeRequestHeader(frame.subarray(4));
  assert.deepEqual(header, { apiKey, apiVersion: version, correlationId: 991, clientId: 'kafkajs-client' });
  return decodeRequest(apiKey, version, frame.subarray(4), bodyOffset);
}

describe('kafkajs-encoded requests decode for every advertised version', () => {
  for (const testCase of CASES) {
    const range = SUPPORTED_VERSIONS.get(testCase.apiKey);
    assert.ok(range);
    for (let version = range.min; version <= range.max; version++) {
      test(`${testCase.api} v${version}`, async () => {
        assert.deepEqual(await decodeKafkajsRequest(testCase.api, testCase.apiKey, version, testCase.args), testCase.expected(version));
      });
    }
  }
});

describe('kafkajs produce requests carry its record batch intact', () => {
  const range = SUPPORTED_VERSIONS.get(ApiKey.Produce) ?? { min: 0, max: -1 };
  for (let version = range.min; version <= range.max; version++) {
    test(`produce v${version}`, async () => {
      const args = {
        acks: -1,
        timeout: 30000,
        compression: 0,
        topicData: [
          {
            topic: 'orders',
            partitions: [{ partition: 1, messages: [{ key: 'k', value: 'hello-record', headers: { h: 'v' }, timestamp: 1700000000000 }] }],
          },
        ],
      };
      const decoded = (await decodeKafkajsRequest('produce', ApiKey.Produce, version, args)) as ProduceRequest;
      assert.equal(decoded.transactionalId, null);
      assert.equal(decoded.acks, -1);
      assert.equal(decoded.timeoutMs, 30000);
      assert.equal(decoded.topicData.length, 1);
      assert.equal(decoded.topicData[0]?.name, 'orders');
      const partition = decoded.topicData[0]?.partitionData[0];
      assert.equal(partition?.index, 1);
      const records = partition?.records;
      assert.ok(records);
      // One whole RecordBatch v2: base offset 0, batch length covering the rest, magic 2.
      assert.equal(records.readBigInt64BE(0), 0n);
      assert.equal(records.readInt32BE(8), records.length - 12);
      assert.equal(records.readInt8(16), 2);
      assert.ok(records.includes(Buffer.from('hello-record')));
    });
  }
});

test('every advertised API has a kafkajs request case', () => {
  const covered = new Set([...CASES.map((c) => c.apiKey), ApiKey.Produce]);
  assert.deepEqual(
    [...SUPPORTED_VERSIONS.keys()].filter((key) => !covered.has(key)),
    [],
  );
});
