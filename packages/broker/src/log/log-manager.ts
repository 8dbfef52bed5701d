// All partition logs of the broker under one data dir, the topic metadata (`__meta/topics.json`,
// replaced atomically), committed group offsets, the producer-id counter, the retention pass and the
// interval flush timer. open() recovers everything a crash left behind.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from './atomic-file.ts';
import { ErrorCode, KafkaError } from '../kafka-errors.ts';
import { OffsetStore } from './offset-store.ts';
import { PartitionLog, type FlushPolicy } from './partition-log.ts';
import {
  DEFAULT_TOPIC_CONFIG,
  allConfigNames,
  collidesWith,
  defaultConfigValue,
  resolveTopicConfig,
  validateTopicConfigs,
  validateTopicName,
  type TopicConfig,
} from './topic-config.ts';

const META_DIR = '__meta';
const TOPICS_FILE = 'topics.json';
const PRODUCER_ID_FILE = 'producer-id';
/** Far above any real need; keeps one request from opening millions of files. */
const MAX_PARTITIONS = 10_000;
const PARTITION_DIR = /^(.+)-(\d+)$/;

export interface LogManagerOptions {
  dataDir: string;
  /** @default { mode: 'always' } (fsync before an append resolves) */
  flush?: FlushPolicy;
  /** Broker-level defaults for topic configs. */
  defaultTopicConfig?: Partial<TopicConfig>;
  /** Bytes of log between two offset-index entries. @default 4096 */
  indexIntervalBytes?: number;
  logger?: Logger;
}

interface TopicState {
  partitions: PartitionLog[];
  /** Explicitly set configs, Kafka names, normalised. */
  explicit: Record<string, string>;
  config: TopicConfig;
}

interface TopicsFile {
  version: 1;
  topics: Record<string, { partitions: number; configs: Record<string, string> }>;
}

export interface ConfigDescription {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
}

export class LogManager {
  readonly offsets: OffsetStore;
  private readonly dataDir: string;
  private readonly metaDir: string;
  private readonly flushPolicy: FlushPolicy;
  private readonly defaults: TopicConfig;
  private readonly indexIntervalBytes: number | undefined;
  private readonly logger: Logger | undefined;
  private readonly topics = new Map<string, TopicState>();
  private nextProducerId = 0n;
  /** Serialises metadata changes and producer-id allocation (each ends in an atomic file write). */
  private adminChain: Promise<unknown> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(options: LogManagerOptions, offsets: OffsetStore) {
    this.dataDir = options.dataDir;
    this.metaDir = path.join(options.dataDir, META_DIR);
    this.flushPolicy = options.flush ?? { mode: 'always' };
    this.defaults = Object.freeze({ ...DEFAULT_TOPIC_CONFIG, ...options.defaultTopicConfig, cleanupPolicy: 'delete' });
    this.indexIntervalBytes = options.indexIntervalBytes;
    this.logger = options.logger;
    this.offsets = offsets;
  }

  /** Opens (or initialises) the data dir and recovers topics, partition logs, offsets and counters. */
  static async open(options: LogManagerOptions): Promise<LogManager> {
    const metaDir = path.join(options.dataDir, META_DIR);
    fs.mkdirSync(metaDir, { recursive: true });
    const offsets = OffsetStore.open(metaDir, options.logger === undefined ? {} : { logger: options.logger });
    const manager = new LogManager(options, offsets);
    const flush = manager.flushPolicy;
    if (flush.mode === 'interval' && !(Number.isFinite(flush.intervalMs) && flush.intervalMs > 0)) {
      throw new RangeError(`flush.intervalMs must be a positive number, got ${flush.intervalMs}`);
    }
    try {
      await manager.recover();
    } catch (err) {
      await manager.close();
      throw err;
    }
    if (flush.mode === 'interval') {
      manager.flushTimer = setInterval(() => void manager.flushAll(), flush.intervalMs);
      manager.flushTimer.unref();
    }
    return manager;
  }

  private async recover(): Promise<void> {
    const stored = readJson<TopicsFile>(path.join(this.metaDir, TOPICS_FILE)) ?? { version: 1, topics: {} };
    for (const [name, t] of Object.entries(stored.topics)) {
      const explicit = t.configs;
      const config = resolveTopicConfig(explicit, this.defaults);
      const state: TopicState = { partitions: [], explicit, config };
      for (let p = 0; p < t.partitions; p++) state.partitions.push(await this.openPartition(name, p, state));
      this.topics.set(name, state);
    }
    this.removeOrphanDirs();
    const counter = readJson<{ next: string }>(path.join(this.metaDir, PRODUCER_ID_FILE));
    this.nextProducerId = counter === undefined ? 0n : BigInt(counter.next);
    this.logger?.info({ dataDir: this.dataDir, topics: this.topics.size }, 'log manager opened');
  }

  /** Partition dirs of deleted topics (a crash between the metadata write and the removal). */
  private removeOrphanDirs(): void {
    for (const entry of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      const m = PARTITION_DIR.exec(entry.name);
      if (!entry.isDirectory() || m === null) continue;
      const topic = this.topics.get(m[1]!);
      if (topic !== undefined && Number(m[2]) < topic.partitions.length) continue;
      const dir = path.join(this.dataDir, entry.name);
      if (!fs.readdirSync(dir).every((f) => /\.(log|index|tmp)$|^log-start-offset$|^producer-state\.json$/.test(f))) continue;
      this.logger?.info({ dir }, 'removing the directory of a deleted partition');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private openPartition(topic: string, partition: number, state: TopicState): Promise<PartitionLog> {
    return PartitionLog.open({
      dir: this.partitionDir(topic, partition),
      topic,
      partition,
      config: () => state.config,
      flush: this.flushPolicy,
      ...(this.indexIntervalBytes === undefined ? {} : { indexIntervalBytes: this.indexIntervalBytes }),
      ...(this.logger === undefined ? {} : { logger: this.logger }),
    });
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.dataDir, `${topic}-${partition}`);
  }

  /** Creates a topic; KafkaError TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS or INVALID_CONFIG. */
  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    return this.admin(async () => {
      validateTopicName(name);
      if (this.topics.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
      const collision = [...this.topics.keys()].find((t) => collidesWith(t, name));
      if (collision !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collision}`);
      checkPartitionCount(partitions);
      const explicit = validateTopicConfigs(configs);
      const state: TopicState = { partitions: [], explicit, config: resolveTopicConfig(explicit, this.defaults) };
      try {
        for (let p = 0; p < partitions; p++) state.partitions.push(await this.openFreshPartition(name, p, state));
        this.topics.set(name, state);
        await this.saveTopics();
      } catch (err) {
        this.topics.delete(name);
        for (const log of state.partitions) await log.close();
        throw err;
      }
      this.logger?.info({ topic: name, partitions, configs: explicit }, 'topic created');
    });
  }

  /** Deletes a topic and its files; KafkaError UNKNOWN_TOPIC_OR_PARTITION. */
  async deleteTopic(name: string): Promise<void> {
    return this.admin(async () => {
      const state = this.topics.get(name);
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      this.topics.delete(name);
      await this.saveTopics();
      for (const log of state.partitions) {
        await log.close();
        fs.rmSync(this.partitionDir(name, log.partition), { recursive: true, force: true });
      }
      this.logger?.info({ topic: name }, 'topic deleted');
    });
  }

  /** Grows a topic to `totalCount` partitions; KafkaError INVALID_PARTITIONS unless it grows. */
  async createPartitions(name: string, totalCount: number): Promise<void> {
    return this.admin(async () => {
      const state = this.topics.get(name);
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const current = state.partitions.length;
      if (totalCount === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
      if (totalCount < current) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`);
      }
      checkPartitionCount(totalCount);
      const added: PartitionLog[] = [];
      try {
        for (let p = current; p < totalCount; p++) added.push(await this.openFreshPartition(name, p, state));
        state.partitions.push(...added);
        await this.saveTopics();
      } catch (err) {
        state.partitions.length = current;
        for (const log of added) await log.close();
        throw err;
      }
      this.logger?.info({ topic: name, partitions: totalCount }, 'partitions added');
    });
  }

  listTopics(): Array<{ name: string; partitions: number; configs: Record<string, string> }> {
    return [...this.topics].map(([name, t]) => ({ name, partitions: t.partitions.length, configs: { ...t.explicit } }));
  }

  /** Every Kafka topic config: the explicit value where the topic has one, otherwise the broker default. */
  describeConfigs(name: string): ConfigDescription[] {
    const state = this.topics.get(name);
    if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    return allConfigNames().map((config) => {
      const explicit = Object.hasOwn(state.explicit, config) ? state.explicit[config] : undefined;
      return {
        name: config,
        value: explicit ?? defaultConfigValue(config, this.defaults),
        readOnly: false,
        isDefault: explicit === undefined,
        isSensitive: false,
      };
    });
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** One retention pass over every partition (the broker calls it on a timer). */
  async enforceRetention(now: number = Date.now()): Promise<void> {
    for (const state of [...this.topics.values()]) {
      for (const log of state.partitions) await log.enforceRetention(now);
    }
  }

  /** A producer id never handed out before, also across restarts (InitProducerId). */
  async allocateProducerId(): Promise<bigint> {
    return this.admin(async () => {
      const id = this.nextProducerId;
      await writeFileAtomic(path.join(this.metaDir, PRODUCER_ID_FILE), JSON.stringify({ next: (id + 1n).toString() }));
      this.nextProducerId = id + 1n;
      return id;
    });
  }

  /** Flushes and closes every file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    await this.adminChain;
    for (const state of this.topics.values()) {
      for (const log of state.partitions) await log.close();
    }
    await this.offsets.close();
  }

  private async flushAll(): Promise<void> {
    for (const state of [...this.topics.values()]) {
      for (const log of state.partitions) {
        await log.flush().catch((err: unknown) => this.logger?.error({ err, topic: log.topic, partition: log.partition }, 'interval flush failed'));
      }
    }
  }

  /** A new partition never inherits files a crashed delete left behind. */
  private async openFreshPartition(topic: string, partition: number, state: TopicState): Promise<PartitionLog> {
    fs.rmSync(this.partitionDir(topic, partition), { recursive: true, force: true });
    return this.openPartition(topic, partition, state);
  }

  private async saveTopics(): Promise<void> {
    const file: TopicsFile = { version: 1, topics: {} };
    for (const [name, t] of this.topics) file.topics[name] = { partitions: t.partitions.length, configs: t.explicit };
    await writeFileAtomic(path.join(this.metaDir, TOPICS_FILE), `${JSON.stringify(file, null, 2)}\n`);
  }

  private admin<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'log manager is closed'));
    const run = this.adminChain.then(fn);
    this.adminChain = run.catch(() => undefined);
    return run;
  }
}

function checkPartitionCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be at least 1, got ${n}.`);
  if (n > MAX_PARTITIONS) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Number of partitions ${n} exceeds this broker's limit of ${MAX_PARTITIONS}.`);
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}
