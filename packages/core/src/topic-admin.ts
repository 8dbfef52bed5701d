// Creating the topics Eventyard uses and checking that they are as durable as configured. Every service
// calls ensureTopics at start-up (production Kafka usually has auto-creation off), so two services often
// create the same topic at the same moment: that race is handled here, once, instead of by each caller.
import type { Kafka } from 'kafkajs';
import type { Logger } from './logger.ts';

/** Kafka's ConfigResource type for a topic (DescribeConfigs). */
const TOPIC_RESOURCE = 2;

export interface EnsureTopicsOptions {
  /** @default 6 */
  partitions?: number;
  /** -1 = the broker's default.replication.factor. @default -1 */
  replicationFactor?: number;
  /** The topic's min.insync.replicas; undefined = the broker's default. */
  minInsyncReplicas?: number;
  /**
   * Where a topic weaker than configured is reported (fewer replicas, or a lower min.insync.replicas):
   * given, every ensured topic is checked, the ones found as well as the ones created.
   */
  logger?: Logger;
}

/**
 * Creates the topics that do not exist yet and leaves existing ones as they are. A topic that another
 * client created between our look-up and our CreateTopics is no failure: after an error, the topics are
 * listed again and only a topic that still does not exist makes it throw.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], options: EnsureTopicsOptions = {}): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const missing = await missingTopics(admin, topics);
    if (missing.length > 0) {
      const configEntries = options.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(options.minInsyncReplicas) }];
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: options.partitions ?? 6,
            replicationFactor: options.replicationFactor ?? -1,
            configEntries,
          })),
        });
      } catch (err) {
        const still = await missingTopics(admin, missing);
        if (still.length > 0) throw new Error(`Kafka did not create ${still.join(', ')}: ${creationReasons(err, still)}`, { cause: err });
      }
    }
    if (options.logger !== undefined) await warnWhereWeaker(admin, topics, options, options.logger);
  } finally {
    await admin.disconnect();
  }
}

type Admin = ReturnType<Kafka['admin']>;

/**
 * Why CreateTopics failed, per topic: kafkajs rejects with one "Topic creation errors" aggregate whose
 * `errors` carry each topic's own protocol error (its `type`, e.g. INVALID_REPLICATION_FACTOR, and message).
 */
function creationReasons(err: unknown, topics: readonly string[]): string {
  const errors = (err as { errors?: unknown }).errors;
  const reasons = (Array.isArray(errors) ? (errors as Array<{ topic?: unknown; type?: unknown; message?: unknown }>) : [])
    .filter((e) => topics.includes(String(e.topic)))
    .map((e) => `${String(e.topic)}: ${String(e.message)}${typeof e.type === 'string' ? ` (${e.type})` : ''}`);
  return reasons.length > 0 ? reasons.join('; ') : err instanceof Error ? err.message : String(err);
}

async function missingTopics(admin: Admin, topics: readonly string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  return topics.filter((topic) => !existing.has(topic));
}

/** What one topic has, as the cluster reports it. */
export interface TopicDurability {
  topic: string;
  /** The smallest replica count over the topic's partitions. */
  replicationFactor: number;
  /** undefined where the broker does not report it. */
  minInsyncReplicas: number | undefined;
}

/** Reads each topic's replica count (from its metadata) and min.insync.replicas (from its configs). */
export async function describeTopicDurability(admin: Admin, topics: readonly string[]): Promise<TopicDurability[]> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['min.insync.replicas'] })),
  });
  const minIsr = new Map<string, number>();
  for (const resource of described.resources) {
    const entry = resource.configEntries.find((e) => e.configName === 'min.insync.replicas');
    if (resource.errorCode === 0 && entry !== undefined && /^\d+$/.test(entry.configValue)) minIsr.set(resource.resourceName, Number(entry.configValue));
  }
  return metadata.map((t) => ({
    topic: t.name,
    replicationFactor: t.partitions.length === 0 ? 0 : Math.min(...t.partitions.map((p) => p.replicas.length)),
    minInsyncReplicas: minIsr.get(t.name),
  }));
}

/** Why a topic is weaker than configured, or null when it is not. */
export function durabilityProblem(found: TopicDurability, wanted: Pick<EnsureTopicsOptions, 'replicationFactor' | 'minInsyncReplicas'>): string | null {
  const rf = wanted.replicationFactor ?? -1;
  if (rf > 0 && found.replicationFactor < rf) {
    return `has ${found.replicationFactor} replica(s), fewer than EY_KAFKA_REPLICATION_FACTOR=${rf}`;
  }
  const isr = wanted.minInsyncReplicas;
  if (isr !== undefined && found.minInsyncReplicas !== undefined && found.minInsyncReplicas < isr) {
    return `has min.insync.replicas=${found.minInsyncReplicas}, lower than EY_KAFKA_MIN_INSYNC_REPLICAS=${isr}`;
  }
  if (rf === -1 && isr === undefined && found.replicationFactor === 1) {
    return 'has 1 replica, so an acknowledged write is one copy (set EY_KAFKA_REPLICATION_FACTOR and EY_KAFKA_MIN_INSYNC_REPLICAS)';
  }
  return null;
}

async function warnWhereWeaker(admin: Admin, topics: readonly string[], wanted: EnsureTopicsOptions, logger: Logger): Promise<void> {
  let found: TopicDurability[];
  try {
    found = await describeTopicDurability(admin, topics);
  } catch (err) {
    // The check only informs; a cluster that refuses DescribeConfigs (ACLs) must not stop a service.
    logger.warn({ err, topics }, 'could not check the durability of the topics');
    return;
  }
  for (const topic of found) {
    const problem = durabilityProblem(topic, wanted);
    if (problem !== null) {
      logger.warn(
        { topic: topic.topic, replicationFactor: topic.replicationFactor, minInsyncReplicas: topic.minInsyncReplicas, problem },
        `topic ${topic.topic} is weaker than configured`,
      );
    }
  }
}
