// CreateTopics (v0-3): a single node can hold one replica, so replication factors other than 1 (or -1,
// "broker default") are refused; -1 partitions means the broker default. validate_only (v1+) runs the
// same checks without creating anything.
import { validateTopicConfigs } from '../log/index.ts';
import { ErrorCode, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult } from '../protocol/index.ts';
import type { ApiDeps, ApiHandler } from './context.ts';
import { errorCodeOf, errorMessageOf } from '../kafka-errors.ts';

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic name rules (org.apache.kafka.common.internals.Topic.validate); null when valid. */
export function topicNameProblem(name: string): string | null {
  if (name === '') return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!LEGAL_NAME.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

type Checked = { partitions: number; configs: Record<string, string> } | { errorCode: number; errorMessage: string };

/** Kafka checks configs on validate_only too; a bad one is INVALID_CONFIG naming it. */
function checkConfigs(
  deps: ApiDeps,
  topic: CreateTopicsRequestCreatableTopic,
): { configs: Record<string, string> } | { errorCode: number; errorMessage: string } {
  const given: Record<string, string | null> = {};
  for (const c of topic.configs) given[c.name] = c.value;
  try {
    return { configs: validateTopicConfigs(given) };
  } catch (err) {
    return { errorCode: errorCodeOf(err, deps.logger, { topic: topic.name }), errorMessage: errorMessageOf(err) ?? 'invalid topic config' };
  }
}

function check(deps: ApiDeps, topic: CreateTopicsRequestCreatableTopic, existing: ReadonlySet<string>): Checked {
  const nameProblem = topicNameProblem(topic.name);
  if (nameProblem !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem };
  if (existing.has(topic.name)) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${topic.name}' already exists.` };
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      };
    }
    const indexes = topic.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
    const consecutive = indexes.every((index, i) => index === i);
    const local = topic.assignments.every((a) => a.brokerIds.length === 1 && a.brokerIds[0] === deps.identity.nodeId);
    if (!consecutive || !local)
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `Replica assignments must place partitions 0..n-1 on broker ${deps.identity.nodeId} only.`,
      };
    const configs = checkConfigs(deps, topic);
    return 'errorCode' in configs ? configs : { partitions: topic.assignments.length, ...configs };
  }
  if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `Replication factor: ${topic.replicationFactor} larger than available brokers: 1.`,
    };
  }
  const partitions = topic.numPartitions === -1 ? deps.defaultPartitions : topic.numPartitions;
  if (partitions <= 0) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
  const configs = checkConfigs(deps, topic);
  return 'errorCode' in configs ? configs : { partitions, ...configs };
}

export const handleCreateTopics: ApiHandler<19> = async (deps, body) => {
  const existing = new Set(deps.logs.listTopics().map((t) => t.name));
  const counts = new Map<string, number>();
  for (const t of body.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const topics: CreateTopicsResponseCreatableTopicResult[] = [];
  for (const topic of body.topics) {
    if ((counts.get(topic.name) ?? 0) > 1) {
      topics.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Create topics request from client contains a duplicate topic.' });
      continue;
    }
    const checked = check(deps, topic, existing);
    if ('errorCode' in checked) {
      topics.push({ name: topic.name, ...checked });
      continue;
    }
    if (body.validateOnly === true) {
      topics.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
      continue;
    }
    try {
      await deps.logs.createTopic(topic.name, checked.partitions, checked.configs);
      existing.add(topic.name);
      deps.logger?.info({ topic: topic.name, partitions: checked.partitions }, 'created topic');
      topics.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      topics.push({ name: topic.name, errorCode: errorCodeOf(err, deps.logger, { topic: topic.name }), errorMessage: errorMessageOf(err) });
    }
  }
  return { throttleTimeMs: 0, topics };
};
