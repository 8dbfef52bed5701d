// The one place kafkajs clients are made: brokers, client id, SASL and TLS come from config, and
// kafkajs's own log lines go through our pino logger instead of its console logger.
import { readFileSync } from 'node:fs';
import {
  Kafka,
  logLevel,
  type KafkaConfig as KafkaJsConfig,
  type KafkaMessage,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
  type logCreator,
} from 'kafkajs';
import type { KafkaConfig } from './config.ts';
import { JavaCompatiblePartitioner } from './java-partitioner.ts';
import type { Logger } from './logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs warnings that describe a choice we made on purpose, logged at debug so that a warning at every
 * start does not teach operators to ignore warnings. Every producer bounds its retries (createProducer's
 * callers say why); Eventyard promises at-least-once delivery, never Kafka's exactly-once.
 */
const DELIBERATE = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * kafkajs logs a CreateTopics answer that carries any per-topic error at ERROR before its caller sees it,
 * so two services creating the same topic at once (a fresh install's first start) printed an error about
 * nothing: kafkajs then answers `false`, and ensureTopics lists again. A creation that fails for real
 * rejects for its caller, which reports it with the topic; the connection's own line is debug.
 */
const REPEATED_FOR_CALLER = /^Response CreateTopics\(/;

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      const name = DELIBERATE.has(message) || REPEATED_FOR_CALLER.test(message) ? 'debug' : (LEVELS[level] ?? 'info');
      logger[name]({ ...extra, kafkajs: true }, message);
    };
}

/** What a kafkajs client is made from: the connection settings, not how services use it. */
export type KafkaClientConfig = Omit<KafkaConfig, 'maxBatchBytes' | 'lingerMs'>;

export interface CreateKafkaOptions {
  /** Suffix added to the configured client id, e.g. the service name. */
  clientIdSuffix?: string;
  logger: Logger;
  /** Extra kafkajs settings (retry, timeouts) that a caller needs to tune. */
  overrides?: Partial<KafkaJsConfig>;
}

export function kafkaJsConfig(config: KafkaClientConfig, options: CreateKafkaOptions): KafkaJsConfig {
  const sasl: SASLOptions | undefined = config.sasl === undefined ? undefined : { ...config.sasl };
  const ssl = config.tls === undefined ? undefined : config.tls.caFile === undefined ? true : { ca: [readFileSync(config.tls.caFile, 'utf8')] };
  return {
    clientId: options.clientIdSuffix === undefined ? config.clientId : `${config.clientId}-${options.clientIdSuffix}`,
    brokers: [...config.brokers],
    ...(sasl === undefined ? {} : { sasl }),
    ...(ssl === undefined ? {} : { ssl }),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.logger.child({ component: 'kafkajs' })),
    ...options.overrides,
  };
}

export function createKafka(config: KafkaClientConfig, options: CreateKafkaOptions): Kafka {
  return new Kafka(kafkaJsConfig(config, options));
}

/**
 * The producer every service uses: idempotent (acks = all, and its own retries add no duplicates); never
 * creating a topic by producing to it (ensureTopics makes topics with their partition count); and Kafka's
 * Java murmur2 partitioner, so a key lands on the partition any Kafka client would pick, which per-key
 * order across producers relies on. kafkajs's default picks the same partitions at several times the
 * cost (java-partitioner.ts); naming one also keeps kafkajs from warning about its default at every
 * start. Callers set `retry`: kafkajs retries an idempotent producer forever by default.
 */
export function createProducer(kafka: Kafka, options: Omit<ProducerConfig, 'idempotent' | 'allowAutoTopicCreation' | 'createPartitioner'> = {}): Producer {
  return kafka.producer({ ...options, idempotent: true, allowAutoTopicCreation: false, createPartitioner: JavaCompatiblePartitioner });
}

/**
 * What tells two records at one offset apart. A consumer that remembers which offsets it finished (to
 * skip them when a group rejoin fetches them again from the last commit) compares this too: after an
 * unclean broker restart a truncated log is written again, and the same offset then holds another record.
 */
export function recordFingerprint(message: Pick<KafkaMessage, 'timestamp' | 'key' | 'value'>): string {
  return `${message.timestamp}:${message.value?.length ?? -1}:${message.key?.toString('latin1') ?? ''}`;
}

/**
 * The offsets of one partition a consumer finished and has not committed yet, each with its record's
 * recordFingerprint. A group rejoin fetches from the last commit again: a record found here with the same
 * fingerprint was done already; another record at the offset (a rewritten log) is new work.
 */
export class FinishedOffsets {
  readonly #done = new Map<bigint, string>();

  get size(): number {
    return this.#done.size;
  }

  add(offset: bigint, fingerprint: string): void {
    this.#done.set(offset, fingerprint);
  }

  /** Whether this record, at this offset, was finished already. */
  has(offset: bigint, fingerprint: string): boolean {
    return this.#done.get(offset) === fingerprint;
  }

  /** A commit of `next` (the next offset to read) went through: what it covers is forgotten. */
  forgetBelow(next: bigint): void {
    for (const offset of this.#done.keys()) if (offset < next) this.#done.delete(offset);
  }

  clear(): void {
    this.#done.clear();
  }
}

/**
 * The longest idle long poll a consumer may double its fetch wait to (kafkajs `idleMaxWaitTimeInMs`, our
 * patch): the setting, held at least the ordinary wait and below half the session timeout, because an
 * idle member heartbeats, and so notices a rebalance, only when its poll returns.
 */
export function idleFetchWaitMs(idleMaxWaitMs: number, maxWaitMs: number, sessionTimeoutMs: number): number {
  return Math.max(maxWaitMs, Math.min(idleMaxWaitMs, Math.floor(sessionTimeoutMs / 2)));
}
