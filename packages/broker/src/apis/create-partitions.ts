// CreatePartitions (v0-1): grows a topic to `count` partitions; explicit assignments may only name this node.
import { ErrorCode, type CreatePartitionsResponseTopicResult } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf, errorMessageOf } from '../kafka-errors.ts';

export const handleCreatePartitions: ApiHandler<37> = async (deps, body) => {
  const current = new Map(deps.logs.listTopics().map((t) => [t.name, t.partitions]));
  const results: CreatePartitionsResponseTopicResult[] = [];
  for (const topic of body.topics) {
    const fail = (errorCode: number, errorMessage: string) => results.push({ name: topic.name, errorCode, errorMessage });
    const partitions = current.get(topic.name);
    if (partitions === undefined) {
      fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic.name}' does not exist.`);
      continue;
    }
    if (topic.count <= partitions) {
      fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${partitions} partitions, which is higher than or equal to the requested ${topic.count}.`);
      continue;
    }
    const local =
      topic.assignments === null ||
      (topic.assignments.length === topic.count - partitions &&
        topic.assignments.every((a) => a.brokerIds.length === 1 && a.brokerIds[0] === deps.identity.nodeId));
    if (!local) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `New partitions may only be assigned to broker ${deps.identity.nodeId}, one replica each.`);
      continue;
    }
    if (body.validateOnly) {
      results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
      continue;
    }
    try {
      await deps.logs.createPartitions(topic.name, topic.count);
      deps.logger?.info({ topic: topic.name, partitions: topic.count }, 'added partitions');
      results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      fail(errorCodeOf(err, deps.logger, { topic: topic.name }), errorMessageOf(err) ?? 'create partitions failed');
    }
  }
  return { throttleTimeMs: 0, results };
};
