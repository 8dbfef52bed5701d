// startBroker's options (Contract C), validated once and frozen with every default filled in. Names
// follow Kafka's broker settings where there is one (noted per field).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '@eventyard/core';
import { BrokerErrors } from './error-codes.ts';
import { DEFAULT_TOPIC_CONFIG, type FlushPolicy } from './log/index.ts';

export interface BrokerOptions {
  /** Where topics, offsets and producer ids live (log.dirs). */
  dataDir: string;
  /** 0 picks a free port; read the bound one from the returned broker. @default 9092 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Host clients are told to connect to (advertised.listeners). @default host, or 127.0.0.1 when host is 0.0.0.0 / :: */
  advertisedHost?: string;
  /** Port clients are told to connect to, when a proxy or NAT sits in front. @default the bound port */
  advertisedPort?: number;
  /** broker.id. @default 0 */
  nodeId?: number;
  /** @default derived from the absolute dataDir, so it is stable across restarts */
  clusterId?: string;
  /** When appends become durable before they are acknowledged. @default { mode: 'always' } (fsync per produce) */
  flush?: FlushPolicy;
  /** group.initial.rebalance.delay.ms. @default 0 */
  groupInitialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms. @default 6000 */
  groupMinSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms. @default 1800000 */
  groupMaxSessionTimeoutMs?: number;
  /** socket.request.max.bytes: larger frames close the connection. @default 104857600 */
  maxRequestBytes?: number;
  /**
   * message.max.bytes: the largest record batch (whole v2 batch, 12-byte log overhead included) a
   * produce may carry, MESSAGE_TOO_LARGE otherwise; the default of every topic's max.message.bytes,
   * which overrides it per topic. @default 1048588
   */
  messageMaxBytes?: number;
  /** auto.create.topics.enable. @default true */
  autoCreateTopics?: boolean;
  /** num.partitions for auto-created topics. @default 1 */
  defaultPartitions?: number;
  /** log.retention.check.interval.ms. @default 300000 */
  retentionCheckIntervalMs?: number;
  /** How long close() lets in-flight requests finish before cutting connections. @default 5000 */
  closeGraceMs?: number;
  /** Silent without one. */
  logger?: Logger;
  /** Serves Prometheus text on http://host:metricsPort/metrics when set (0 picks a free port). */
  metricsPort?: number;
}

export interface BrokerConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number | undefined;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly flush: FlushPolicy;
  readonly groupInitialRebalanceDelayMs: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly maxRequestBytes: number;
  readonly messageMaxBytes: number;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly retentionCheckIntervalMs: number;
  readonly closeGraceMs: number;
  readonly metricsPort: number | undefined;
}

function intIn(problems: string[], name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name}: must be an integer in [${min}, ${max}]`);
  return value;
}

/** Kafka-style cluster id: 22 url-safe base64 characters (16 bytes), here a digest of the data dir. */
function clusterIdFor(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest().subarray(0, 16).toString('base64url');
}

/** Throws ConfigError (EY_BROKER_CONFIG) with one line per bad option. */
export function resolveBrokerConfig(options: BrokerOptions): BrokerConfig {
  const problems: string[] = [];
  if (typeof options.dataDir !== 'string' || options.dataDir === '') problems.push('dataDir: required');
  const dataDir = resolve(options.dataDir || '.');
  const host = options.host ?? '127.0.0.1';
  const wildcard = host === '0.0.0.0' || host === '::';
  const flush = options.flush ?? { mode: 'always' };
  if (flush.mode === 'interval' && (!Number.isInteger(flush.intervalMs) || flush.intervalMs <= 0))
    problems.push('flush.intervalMs: must be a positive integer');
  const config: BrokerConfig = {
    dataDir,
    port: intIn(problems, 'port', options.port, 9092, 0, 65535),
    host,
    advertisedHost: options.advertisedHost ?? (wildcard ? '127.0.0.1' : host),
    advertisedPort: options.advertisedPort === undefined ? undefined : intIn(problems, 'advertisedPort', options.advertisedPort, 0, 1, 65535),
    nodeId: intIn(problems, 'nodeId', options.nodeId, 0, 0, 2 ** 31 - 1),
    clusterId: options.clusterId ?? clusterIdFor(dataDir),
    flush,
    groupInitialRebalanceDelayMs: intIn(problems, 'groupInitialRebalanceDelayMs', options.groupInitialRebalanceDelayMs, 0, 0, 2 ** 31 - 1),
    groupMinSessionTimeoutMs: intIn(problems, 'groupMinSessionTimeoutMs', options.groupMinSessionTimeoutMs, 6000, 1, 2 ** 31 - 1),
    groupMaxSessionTimeoutMs: intIn(problems, 'groupMaxSessionTimeoutMs', options.groupMaxSessionTimeoutMs, 1_800_000, 1, 2 ** 31 - 1),
    maxRequestBytes: intIn(problems, 'maxRequestBytes', options.maxRequestBytes, 100 * 1024 * 1024, 1024, 2 ** 31 - 1),
    // Kafka's ServerConfigs: INT, atLeast(0).
    messageMaxBytes: intIn(problems, 'messageMaxBytes', options.messageMaxBytes, DEFAULT_TOPIC_CONFIG.maxMessageBytes, 0, 2 ** 31 - 1),
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: intIn(problems, 'defaultPartitions', options.defaultPartitions, 1, 1, 100_000),
    retentionCheckIntervalMs: intIn(problems, 'retentionCheckIntervalMs', options.retentionCheckIntervalMs, 300_000, 1, 2 ** 31 - 1),
    closeGraceMs: intIn(problems, 'closeGraceMs', options.closeGraceMs, 5000, 0, 2 ** 31 - 1),
    metricsPort: options.metricsPort === undefined ? undefined : intIn(problems, 'metricsPort', options.metricsPort, 0, 0, 65535),
  };
  if (config.groupMinSessionTimeoutMs > config.groupMaxSessionTimeoutMs) problems.push('groupMinSessionTimeoutMs: must not exceed groupMaxSessionTimeoutMs');
  if (problems.length > 0) {
    throw new ConfigError(BrokerErrors.EY_BROKER_CONFIG, problems.map((p) => `broker: ${p}`).join('\n'), { context: { problems } });
  }
  return Object.freeze(config);
}

/** The broker's settings under Kafka's names, for DescribeConfigs on the BROKER resource. */
export function describeBrokerConfig(config: BrokerConfig, port: number): Array<{ name: string; value: string; readOnly: boolean }> {
  const advertisedPort = config.advertisedPort ?? port;
  const entries: Array<[string, string]> = [
    ['broker.id', String(config.nodeId)],
    ['node.id', String(config.nodeId)],
    ['listeners', `PLAINTEXT://${config.host}:${port}`],
    ['advertised.listeners', `PLAINTEXT://${config.advertisedHost}:${advertisedPort}`],
    ['log.dirs', config.dataDir],
    ['num.partitions', String(config.defaultPartitions)],
    ['auto.create.topics.enable', String(config.autoCreateTopics)],
    ['default.replication.factor', '1'],
    ['offsets.topic.replication.factor', '1'],
    ['min.insync.replicas', '1'],
    ['socket.request.max.bytes', String(config.maxRequestBytes)],
    ['message.max.bytes', String(config.messageMaxBytes)],
    ['group.initial.rebalance.delay.ms', String(config.groupInitialRebalanceDelayMs)],
    ['group.min.session.timeout.ms', String(config.groupMinSessionTimeoutMs)],
    ['group.max.session.timeout.ms', String(config.groupMaxSessionTimeoutMs)],
    ['log.retention.check.interval.ms', String(config.retentionCheckIntervalMs)],
    // Flush 'always' is Kafka's log.flush.interval.messages=1; 'interval' its log.flush.interval.ms.
    ['log.flush.interval.messages', config.flush.mode === 'always' ? '1' : '9223372036854775807'],
    ['log.flush.interval.ms', config.flush.mode === 'interval' ? String(config.flush.intervalMs) : 'null'],
  ];
  return entries.map(([name, value]) => ({ name, value, readOnly: true }));
}
