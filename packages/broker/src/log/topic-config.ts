// Topic names and topic-level configs as Kafka validates them: the legal name characters and length,
// and the config names this broker implements (anything else is INVALID_CONFIG, not silently ignored).
import { KafkaError, LogErrorCode } from './kafka-error.ts';

export interface TopicConfig {
  /** Delete segments whose newest batch is older than this; -1 keeps them forever. @default 604800000 (7 days) */
  retentionMs: number;
  /** Delete oldest segments while the partition is larger than this; -1 for no limit. @default -1 */
  retentionBytes: number;
  /** Roll to a new segment file past this size. @default 1073741824 (1 GiB), at least 1024 */
  segmentBytes: number;
  /** Only `delete` is implemented (no compaction). @default 'delete' */
  cleanupPolicy: 'delete';
}

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  cleanupPolicy: 'delete',
});

const MIN_SEGMENT_BYTES = 1024;
const INT32_MAX = 0x7fffffff;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka config name → TopicConfig field. */
export const TOPIC_CONFIG_NAMES = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'cleanup.policy': 'cleanupPolicy',
} as const satisfies Record<string, keyof TopicConfig>;
type ConfigName = keyof typeof TOPIC_CONFIG_NAMES;

function isConfigName(name: string): name is ConfigName {
  return Object.hasOwn(TOPIC_CONFIG_NAMES, name);
}

export function validateTopicName(name: string): void {
  let reason: string | undefined;
  if (name.length === 0) reason = 'the empty string is not allowed';
  else if (name === '.' || name === '..') reason = `'${name}' is not allowed`;
  else if (name.length > MAX_TOPIC_NAME_LENGTH) reason = `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  else if (!/^[a-zA-Z0-9._-]+$/.test(name)) reason = `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  if (reason !== undefined) throw new KafkaError(LogErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is invalid: ${reason}`);
}

/** Kafka refuses topics that differ only by '.' vs '_' (their metric names would collide). */
export function collidesWith(a: string, b: string): boolean {
  return a !== b && a.replaceAll('.', '_') === b.replaceAll('.', '_');
}

function parseInteger(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new KafkaError(LogErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: must be an integer between ${min} and ${max}`);
  }
  return n;
}

/**
 * Validates Kafka-named topic configs; returns the normalised explicit values (as strings, for
 * persistence and describeConfigs). Throws KafkaError(INVALID_CONFIG) with a message naming the config.
 */
export function validateTopicConfigs(configs: Record<string, string | null>): Record<string, string> {
  const explicit: Record<string, string> = {};
  for (const [name, raw] of Object.entries(configs)) {
    if (!isConfigName(name)) {
      throw new KafkaError(LogErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name} (supported: ${Object.keys(TOPIC_CONFIG_NAMES).join(', ')})`);
    }
    if (raw === null) throw new KafkaError(LogErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${name}`);
    switch (name) {
      case 'retention.ms':
        explicit[name] = String(parseInteger(name, raw, -1));
        break;
      case 'retention.bytes':
        explicit[name] = String(parseInteger(name, raw, -1));
        break;
      case 'segment.bytes':
        explicit[name] = String(parseInteger(name, raw, MIN_SEGMENT_BYTES, INT32_MAX));
        break;
      case 'cleanup.policy': {
        const policies = raw.split(',').map((p) => p.trim().toLowerCase());
        if (policies.some((p) => p === 'compact')) {
          throw new KafkaError(LogErrorCode.INVALID_CONFIG, `cleanup.policy=${raw} is not supported: this broker does not implement log compaction; only 'delete' is`);
        }
        if (policies.length !== 1 || policies[0] !== 'delete') {
          throw new KafkaError(LogErrorCode.INVALID_CONFIG, `Invalid value ${raw} for configuration cleanup.policy: only 'delete' is supported`);
        }
        explicit[name] = 'delete';
        break;
      }
    }
  }
  return explicit;
}

/** The effective config of a topic: its explicit (already validated) values over the defaults. */
export function resolveTopicConfig(explicit: Record<string, string>, defaults: TopicConfig): TopicConfig {
  const config: TopicConfig = { ...defaults };
  for (const [name, value] of Object.entries(explicit)) {
    if (!isConfigName(name)) continue;
    if (name === 'cleanup.policy') config.cleanupPolicy = 'delete';
    else config[TOPIC_CONFIG_NAMES[name]] = Number(value);
  }
  return config;
}

export function configValueString(config: TopicConfig, name: ConfigName): string {
  const value = config[TOPIC_CONFIG_NAMES[name]];
  return String(value);
}

export function allConfigNames(): ConfigName[] {
  return Object.keys(TOPIC_CONFIG_NAMES) as ConfigName[];
}
