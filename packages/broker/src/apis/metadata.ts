// Metadata (v0-6): this single node is every partition's leader, only replica and the controller.
// Unknown topics are created on request when auto-creation is on (per request from v4, via
// allow_auto_topic_creation; always for older versions), as Kafka's auto.create.topics.enable does.
import { ErrorCode, type MetadataResponseTopic } from '../protocol/index.ts';
import type { ApiDeps, ApiHandler } from './context.ts';
import { errorCodeOf, kafkaErrorCode } from '../kafka-errors.ts';

function describeTopic(deps: ApiDeps, name: string, partitions: number): MetadataResponseTopic {
  const node = deps.identity.nodeId;
  return {
    errorCode: ErrorCode.NONE,
    name,
    isInternal: false,
    partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: node,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
  };
}

async function autoCreate(deps: ApiDeps, name: string): Promise<number> {
  try {
    await deps.logs.createTopic(name, deps.defaultPartitions);
    deps.logger?.info({ topic: name, partitions: deps.defaultPartitions }, 'auto-created topic');
  } catch (err) {
    // Two clients asking at once: the loser finds the topic made by the winner.
    if (kafkaErrorCode(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) return errorCodeOf(err, deps.logger, { topic: name });
  }
  return ErrorCode.NONE;
}

export const handleMetadata: ApiHandler<3> = async (deps, body, ctx) => {
  const version = ctx.header.apiVersion;
  const { host, port } = deps.identity.advertised();
  const existing = new Map(deps.logs.listTopics().map((t) => [t.name, t.partitions]));
  // v0 has no null: an empty list there means every topic.
  const allTopics = body.topics === null || (version === 0 && body.topics.length === 0);
  let topics: MetadataResponseTopic[];
  if (allTopics) {
    topics = [...existing].map(([name, partitions]) => describeTopic(deps, name, partitions));
  } else {
    const allowCreate = deps.autoCreateTopics && (version < 4 || body.allowAutoTopicCreation === true);
    topics = [];
    for (const { name } of body.topics ?? []) {
      let partitions = existing.get(name);
      if (partitions === undefined && allowCreate) {
        const errorCode = await autoCreate(deps, name);
        if (errorCode !== ErrorCode.NONE) {
          topics.push({ errorCode, name, isInternal: false, partitions: [] });
          continue;
        }
        partitions = deps.logs.listTopics().find((t) => t.name === name)?.partitions;
      }
      topics.push(
        partitions === undefined
          ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] }
          : describeTopic(deps, name, partitions),
      );
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: deps.identity.nodeId, host, port, rack: null }],
    clusterId: deps.identity.clusterId,
    controllerId: deps.identity.nodeId,
    topics,
  };
};
