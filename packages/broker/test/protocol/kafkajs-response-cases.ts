// Realistic response bodies per API (superset bodies: the codec picks each version's fields) and
// what kafkajs 2.2.4's decoder of each version must read from them. Fetch has its own test.
import { ApiKey, ErrorCode, SUPPORTED_VERSIONS, type ResponseBodies } from '../../src/protocol/index.ts';
import type { Decoded } from './kafkajs.ts';

export interface ResponseCase {
  /** kafkajs's directory name under src/protocol/requests. */
  api: string;
  apiKey: number;
  body: object;
  factoryArgs?: unknown;
  normalise?: (decoded: Decoded) => Decoded;
}

function typed<K extends keyof ResponseBodies>(api: string, apiKey: K, body: ResponseBodies[K], extra: Partial<ResponseCase> = {}): ResponseCase {
  return { api, apiKey, body, ...extra };
}

/** kafkajs ≥ the KIP-219 version reports throttle as client-side and throttleTime 0. */
function throttle(ms: number, clientSideFrom: number, version: number): Decoded {
  return version >= clientSideFrom ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

const apiVersionsList = [...SUPPORTED_VERSIONS].map(([apiKey, { min, max }]) => ({ apiKey, minVersion: min, maxVersion: max }));

export const RESPONSES: ResponseCase[] = [
  typed('produce', ApiKey.Produce, {
    throttleTimeMs: 7,
    responses: [
      {
        name: 'orders',
        partitionResponses: [
          { index: 0, errorCode: 0, baseOffset: 1234567890123n, logAppendTimeMs: -1n, logStartOffset: 17n },
          { index: 3, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n, logAppendTimeMs: 1700000000000n, logStartOffset: -1n },
        ],
      },
    ],
  }),
  typed('listOffsets', ApiKey.ListOffsets, {
    throttleTimeMs: 2,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0, oldStyleOffsets: [42n], timestamp: 1700000000000n, offset: 42n }] }],
  }),
  typed('metadata', ApiKey.Metadata, {
    throttleTimeMs: 1,
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null }],
    clusterId: 'eventyard-test',
    controllerId: 0,
    topics: [
      {
        errorCode: 0,
        name: 'orders',
        isInternal: false,
        partitions: [
          { errorCode: 0, partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] },
          { errorCode: 0, partitionIndex: 1, leaderId: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] },
        ],
      },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'missing', isInternal: false, partitions: [] },
    ],
  }),
  typed('offsetCommit', ApiKey.OffsetCommit, {
    throttleTimeMs: 4,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, errorCode: 0 },
          { partitionIndex: 1, errorCode: ErrorCode.ILLEGAL_GENERATION },
        ],
      },
    ],
  }),
  typed('offsetFetch', ApiKey.OffsetFetch, {
    throttleTimeMs: 5,
    errorCode: 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 41n, metadata: 'm', errorCode: 0 },
          { partitionIndex: 1, committedOffset: -1n, metadata: '', errorCode: 0 },
        ],
      },
    ],
  }),
  typed('findCoordinator', ApiKey.FindCoordinator, { throttleTimeMs: 6, errorCode: 0, errorMessage: null, nodeId: 0, host: 'localhost', port: 19092 }),
  typed('joinGroup', ApiKey.JoinGroup, {
    throttleTimeMs: 6,
    errorCode: 0,
    generationId: 3,
    protocolName: 'RoundRobinAssigner',
    leader: 'member-1',
    memberId: 'member-2',
    members: [
      { memberId: 'member-1', groupInstanceId: null, metadata: Buffer.from([0, 1, 2]) },
      { memberId: 'member-2', groupInstanceId: 'static-2', metadata: Buffer.from([3]) },
    ],
  }),
  typed('heartbeat', ApiKey.Heartbeat, { throttleTimeMs: 8, errorCode: ErrorCode.REBALANCE_IN_PROGRESS }),
  typed('leaveGroup', ApiKey.LeaveGroup, {
    throttleTimeMs: 1,
    errorCode: 0,
    members: [{ memberId: 'member-1', groupInstanceId: null, errorCode: 0 }],
  }),
  typed('syncGroup', ApiKey.SyncGroup, { throttleTimeMs: 2, errorCode: 0, assignment: Buffer.from([0, 1, 0, 0, 0, 1]) }),
  typed('describeGroups', ApiKey.DescribeGroups, {
    throttleTimeMs: 3,
    groups: [
      {
        errorCode: 0,
        groupId: 'g1',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'RoundRobinAssigner',
        members: [{ memberId: 'm1', clientId: 'c1', clientHost: '/127.0.0.1', memberMetadata: Buffer.from('meta'), memberAssignment: Buffer.from('assign') }],
      },
    ],
  }),
  typed('listGroups', ApiKey.ListGroups, { throttleTimeMs: 4, errorCode: 0, groups: [{ groupId: 'g1', protocolType: 'consumer' }] }),
  typed('apiVersions', ApiKey.ApiVersions, { errorCode: 0, apiKeys: apiVersionsList, throttleTimeMs: 5 }),
  typed('createTopics', ApiKey.CreateTopics, {
    throttleTimeMs: 6,
    topics: [
      { name: 'b-topic', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'b-topic' already exists." },
      { name: 'a-topic', errorCode: 0, errorMessage: null },
    ],
  }),
  typed('deleteTopics', ApiKey.DeleteTopics, { throttleTimeMs: 7, responses: [{ name: 't1', errorCode: 0 }] }),
  typed(
    'deleteRecords',
    ApiKey.DeleteRecords,
    { throttleTimeMs: 8, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, lowWatermark: 30n, errorCode: 0 }] }] },
    {
      factoryArgs: { topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '30' }] }] },
      // kafkajs reads the low watermark as its own Long type (a BigInt wrapper); compare its text.
      normalise: (decoded) => {
        const topics = decoded.topics as Array<{ partitions: Array<{ lowWatermark: { toString(): string } }> }>;
        for (const topic of topics) for (const partition of topic.partitions) partition.lowWatermark = partition.lowWatermark.toString();
        return decoded;
      },
    },
  ),
  typed('initProducerId', ApiKey.InitProducerId, { throttleTimeMs: 9, errorCode: 0, producerId: 4000n, producerEpoch: 0 }),
  typed('describeConfigs', ApiKey.DescribeConfigs, {
    throttleTimeMs: 1,
    results: [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 'orders',
        configs: [
          {
            name: 'retention.ms',
            value: '604800000',
            readOnly: false,
            isDefault: true,
            configSource: 5,
            isSensitive: false,
            synonyms: [{ name: 'log.retention.ms', value: '604800000', source: 5 }],
          },
          { name: 'cleanup.policy', value: 'delete', readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [] },
        ],
      },
    ],
  }),
  typed('createPartitions', ApiKey.CreatePartitions, {
    throttleTimeMs: 2,
    results: [
      { name: 'orders', errorCode: 0, errorMessage: null },
      { name: 'abc', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic currently has 3 partitions' },
    ],
  }),
  typed('deleteGroups', ApiKey.DeleteGroups, { throttleTimeMs: 3, results: [{ groupId: 'g1', errorCode: 0 }] }),
];

/** What kafkajs's decoder of `api` version `version` returns for the body in RESPONSES. */
export function expectedByKafkajs(api: string, v: number): Decoded {
  switch (api) {
    case 'produce':
      return {
        topics: [
          {
            topicName: 'orders',
            partitions: [
              { partition: 0, errorCode: 0, baseOffset: '1234567890123', logAppendTime: '-1', ...(v >= 5 ? { logStartOffset: '17' } : {}) },
              { partition: 3, errorCode: 6, baseOffset: '-1', logAppendTime: '1700000000000', ...(v >= 5 ? { logStartOffset: '-1' } : {}) },
            ],
          },
        ],
        ...throttle(7, 6, v),
      };
    case 'listOffsets': {
      const partition = v === 0 ? { partition: 1, errorCode: 0, offsets: ['42'] } : { partition: 1, errorCode: 0, timestamp: '1700000000000', offset: '42' };
      return { responses: [{ topic: 'orders', partitions: [partition] }], ...(v >= 2 ? throttle(2, 3, v) : {}) };
    }
    case 'metadata': {
      const partition = (id: number) => ({
        partitionErrorCode: 0,
        partitionId: id,
        leader: 0,
        replicas: [0],
        isr: [0],
        ...(v >= 5 ? { offlineReplicas: [] } : {}),
      });
      const internal = v >= 1 ? { isInternal: false } : {};
      return {
        brokers: [{ nodeId: 0, host: '127.0.0.1', port: 9092, ...(v >= 1 ? { rack: null } : {}) }],
        ...(v >= 1 ? { controllerId: 0 } : {}),
        ...(v >= 2 ? { clusterId: 'eventyard-test' } : {}),
        ...(v >= 3 ? throttle(1, 6, v) : {}),
        topicMetadata: [
          { topicErrorCode: 0, topic: 'orders', ...internal, partitionMetadata: [partition(0), partition(1)] },
          { topicErrorCode: 3, topic: 'missing', ...internal, partitionMetadata: [] },
        ],
      };
    }
    case 'offsetCommit':
      return {
        responses: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, errorCode: 0 },
              { partition: 1, errorCode: 22 },
            ],
          },
        ],
        ...(v >= 3 ? throttle(4, 4, v) : {}),
      };
    case 'offsetFetch':
      return {
        responses: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, offset: '41', metadata: 'm', errorCode: 0 },
              { partition: 1, offset: '-1', metadata: '', errorCode: 0 },
            ],
          },
        ],
        ...(v >= 2 ? { errorCode: 0 } : {}),
        ...(v >= 3 ? throttle(5, 4, v) : {}),
      };
    case 'findCoordinator':
      return {
        errorCode: 0,
        coordinator: { nodeId: 0, host: 'localhost', port: 19092 },
        ...(v >= 1 ? { errorMessage: null, ...throttle(6, 2, v) } : {}),
      };
    case 'joinGroup':
      return {
        errorCode: 0,
        generationId: 3,
        groupProtocol: 'RoundRobinAssigner',
        leaderId: 'member-1',
        memberId: 'member-2',
        members: [
          { memberId: 'member-1', ...(v >= 5 ? { groupInstanceId: null } : {}), memberMetadata: Buffer.from([0, 1, 2]) },
          { memberId: 'member-2', ...(v >= 5 ? { groupInstanceId: 'static-2' } : {}), memberMetadata: Buffer.from([3]) },
        ],
        ...(v >= 2 ? throttle(6, 3, v) : {}),
      };
    case 'heartbeat':
      return { errorCode: 27, ...(v >= 1 ? throttle(8, 2, v) : {}) };
    case 'leaveGroup':
      return {
        errorCode: 0,
        ...(v >= 1 ? throttle(1, 2, v) : {}),
        ...(v >= 3 ? { members: [{ memberId: 'member-1', groupInstanceId: null, errorCode: 0 }] } : {}),
      };
    case 'syncGroup':
      return { errorCode: 0, memberAssignment: Buffer.from([0, 1, 0, 0, 0, 1]), ...(v >= 1 ? throttle(2, 2, v) : {}) };
    case 'describeGroups':
      return {
        groups: [
          {
            errorCode: 0,
            groupId: 'g1',
            state: 'Stable',
            protocolType: 'consumer',
            protocol: 'RoundRobinAssigner',
            members: [
              { memberId: 'm1', clientId: 'c1', clientHost: '/127.0.0.1', memberMetadata: Buffer.from('meta'), memberAssignment: Buffer.from('assign') },
            ],
          },
        ],
        ...(v >= 1 ? throttle(3, 2, v) : {}),
      };
    case 'listGroups':
      return { errorCode: 0, groups: [{ groupId: 'g1', protocolType: 'consumer' }], ...(v >= 1 ? throttle(4, 2, v) : {}) };
    case 'apiVersions':
      return { errorCode: 0, apiVersions: apiVersionsList, ...(v >= 1 ? throttle(5, 2, v) : {}) };
    case 'createTopics': {
      // kafkajs sorts the results by topic name.
      const message = (text: string | null) => (v >= 1 ? { errorMessage: text } : {});
      return {
        topicErrors: [
          { topic: 'a-topic', errorCode: 0, ...message(null) },
          { topic: 'b-topic', errorCode: 36, ...message("Topic 'b-topic' already exists.") },
        ],
        ...(v >= 2 ? throttle(6, 3, v) : {}),
      };
    }
    case 'deleteTopics':
      return { topicErrors: [{ topic: 't1', errorCode: 0 }], ...(v >= 1 ? throttle(7, 1, v) : {}) };
    case 'deleteRecords':
      return { topics: [{ topic: 'orders', partitions: [{ partition: 0, lowWatermark: '30', errorCode: 0 }] }], ...throttle(8, 1, v) };
    case 'initProducerId':
      return { errorCode: 0, producerId: '4000', producerEpoch: 0, ...throttle(9, 1, v) };
    case 'describeConfigs': {
      const synonyms = (list: Decoded[]) => (v >= 1 ? { configSynonyms: list } : {});
      return {
        resources: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 'orders',
            configEntries: [
              {
                configName: 'retention.ms',
                configValue: '604800000',
                readOnly: false,
                isDefault: true,
                configSource: 5,
                isSensitive: false,
                ...synonyms([{ configName: 'log.retention.ms', configValue: '604800000', configSource: 5 }]),
              },
              { configName: 'cleanup.policy', configValue: 'delete', readOnly: false, isDefault: false, configSource: 1, isSensitive: false, ...synonyms([]) },
            ],
          },
        ],
        ...throttle(1, 2, v),
      };
    }
    case 'createPartitions':
      return {
        topicErrors: [
          { topic: 'abc', errorCode: 37, errorMessage: 'Topic currently has 3 partitions' },
          { topic: 'orders', errorCode: 0, errorMessage: null },
        ],
        ...throttle(2, 1, v),
      };
    case 'deleteGroups':
      // kafkajs v1 copies a `throttleTime` the v0 decoder never sets.
      return { throttleTimeMs: 3, results: [{ groupId: 'g1', errorCode: 0 }], ...(v >= 1 ? { throttleTime: 0, clientSideThrottleTime: undefined } : {}) };
    default:
      throw new Error(`no expectation for ${api}`);
  }
}
