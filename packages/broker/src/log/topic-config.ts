// Topic names and topic-level configs as Kafka validates them: the legal name characters and length,
// and every topic config name Kafka's LogConfig defines, with its type, default and validator
// (storage/.../log/LogConfig.java at apache/kafka@1eb7644349c). A name outside that table is
// INVALID_CONFIG, as in Kafka. All valid configs are stored and described; the ones that change what
// this broker does are resolved into TopicConfig (retention, segment size, largest batch, cleanup
// policy, timestamp type and bounds); the rest (replication, flush tuning, compaction tuning...) mean nothing more on a
// single node that never compacts and are kept so that clients read back what they set.
import { ErrorCode, KafkaError } from '../kafka-errors.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface TopicConfig {
  /** Delete segments whose newest batch is older than this; -1 keeps them forever. @default 604800000 (7 days) */
  retentionMs: number;
  /** Delete oldest segments while the partition is larger than this; negative for no limit. @default -1 */
  retentionBytes: number;
  /** Roll to a new segment file past this size. @default 1073741824 (1 GiB), at least 1024 */
  segmentBytes: number;
  /**
   * max.message.bytes: the largest record batch (whole v2 batch, baseOffset and length included) an
   * append may carry, MESSAGE_TOO_LARGE otherwise. The broker's message.max.bytes is its default.
   * @default 1048588 (1 MiB + the 12-byte log overhead, Kafka's LogConfig.DEFAULT_MAX_MESSAGE_BYTES)
   */
  maxMessageBytes: number;
  /** Only `delete` is implemented (no compaction). @default 'delete' */
  cleanupPolicy: 'delete';
  /** message.timestamp.type: LogAppendTime stamps each batch with the broker's time. @default 'CreateTime' */
  messageTimestampType: TimestampType;
  /**
   * How far before / after the broker's time a CreateTime record may be (INVALID_TIMESTAMP otherwise):
   * message.timestamp.before.max.ms / after.max.ms, or message.timestamp.difference.max.ms where those
   * are left at their default, as Kafka resolves them. @default 2^63-1 (no bound)
   */
  messageTimestampBeforeMaxMs: bigint;
  messageTimestampAfterMaxMs: bigint;
}

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);
const INT_MAX = 2n ** 31n - 1n;
const INT_MIN = -(2n ** 31n);
/** Kafka allows 14 (a legacy record's overhead); this broker keeps segments from being absurdly small. */
const MIN_SEGMENT_BYTES = 1024n;
const MAX_TOPIC_NAME_LENGTH = 249;

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024 + 12,
  cleanupPolicy: 'delete',
  messageTimestampType: 'CreateTime',
  messageTimestampBeforeMaxMs: LONG_MAX,
  messageTimestampAfterMaxMs: LONG_MAX,
});

type Spec =
  | { type: 'int' | 'long'; default: string; min?: bigint; max?: bigint; check?: (n: bigint) => string | undefined }
  | { type: 'double'; default: string; min: number; max: number }
  | { type: 'boolean'; default: string; check?: (b: boolean) => string | undefined }
  | { type: 'string'; default: string; oneOf?: readonly string[]; check?: (s: string) => string | undefined }
  | { type: 'list'; default: string; check: (items: string[]) => string | undefined };

const long = (def: bigint | number, min?: bigint): Spec => ({ type: 'long', default: String(def), ...(min === undefined ? {} : { min }) });
const int = (def: number, min: bigint, max?: bigint): Spec => ({ type: 'int', default: String(def), min, ...(max === undefined ? {} : { max }) });
const bool = (def: boolean): Spec => ({ type: 'boolean', default: String(def) });

/** Kafka's MetadataVersion releases and their IV sub-versions, for message.format.version. */
const METADATA_VERSIONS: Record<string, string> = {
  '0.8.0': '',
  '0.8.1': '',
  '0.8.2': '',
  '0.9.0': '',
  '0.10.0': 'IV0,IV1',
  '0.10.1': 'IV0,IV1,IV2',
  '0.10.2': 'IV0',
  '0.11.0': 'IV0,IV1,IV2',
  '1.0': 'IV0',
  '1.1': 'IV0',
  '2.0': 'IV0,IV1',
  '2.1': 'IV0,IV1,IV2',
  '2.2': 'IV0,IV1',
  '2.3': 'IV0,IV1',
  '2.4': 'IV0,IV1',
  '2.5': 'IV0',
  '2.6': 'IV0',
  '2.7': 'IV0,IV1,IV2',
  '2.8': 'IV0,IV1',
  '3.0': 'IV0,IV1',
  '3.1': 'IV0',
  '3.2': 'IV0',
  '3.3': 'IV0,IV1,IV2,IV3',
  '3.4': 'IV0',
  '3.5': 'IV0,IV1,IV2',
  '3.6': 'IV0,IV1,IV2',
  '3.7': 'IV0,IV1,IV2,IV3,IV4',
  '3.8': 'IV0',
  '3.9': 'IV0',
  '4.0': 'IV0,IV1,IV2,IV3',
};

/** MetadataVersion.fromVersionString: "3.0", "3.0-IV1", "2.8.1" (patch ignored), "0.10.0-IV1". */
function metadataVersionProblem(value: string): string | undefined {
  const segments = value.split('.');
  const kept = value.startsWith('0.') ? 3 : 2;
  const key = segments.length <= kept ? value : segments.slice(0, kept).join('.');
  const [release = '', sub] = key.split('-');
  const subs = METADATA_VERSIONS[release];
  const known = subs !== undefined && (sub === undefined ? !key.includes('-') : subs.split(',').includes(sub));
  return known ? undefined : `Version ${value} is not a valid version`;
}

function throttledReplicasProblem(items: string[]): string | undefined {
  if (items.join('') === '*' || items.every((s) => /^(\d+:\d+)?$/.test(s))) return undefined;
  return "must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
}

/** Every topic config of Kafka's LogConfig, by name. */
const TOPIC_CONFIGS: Record<string, Spec> = {
  'cleanup.policy': {
    type: 'list',
    default: 'delete',
    check: (items) => {
      if (items.some((p) => p === 'compact')) return 'this broker does not implement log compaction; only delete is supported';
      if (items.length !== 1 || items[0] !== 'delete') return 'String must be one of: compact, delete (and only delete is supported here)';
      return undefined;
    },
  },
  'compression.gzip.level': {
    type: 'int',
    default: '-1',
    check: (n) => (n === -1n || (n >= 1n && n <= 9n) ? undefined : 'Value must be between 1 and 9 or equal to -1'),
  },
  'compression.lz4.level': int(9, 1n, 17n),
  'compression.type': { type: 'string', default: 'producer', oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  'compression.zstd.level': int(3, -131072n, 22n),
  'delete.retention.ms': long(86_400_000, 0n),
  'file.delete.delay.ms': long(60_000, 0n),
  'flush.messages': long(LONG_MAX, 1n),
  'flush.ms': long(LONG_MAX, 0n),
  'follower.replication.throttled.replicas': { type: 'list', default: '', check: throttledReplicasProblem },
  'index.interval.bytes': int(4096, 0n),
  'leader.replication.throttled.replicas': { type: 'list', default: '', check: throttledReplicasProblem },
  'local.retention.bytes': long(-2, -2n),
  'local.retention.ms': long(-2, -2n),
  'max.compaction.lag.ms': long(LONG_MAX, 1n),
  'max.message.bytes': int(DEFAULT_TOPIC_CONFIG.maxMessageBytes, 0n),
  'message.downconversion.enable': bool(true),
  'message.format.version': { type: 'string', default: '3.0-IV1', check: metadataVersionProblem },
  'message.timestamp.after.max.ms': long(LONG_MAX, 0n),
  'message.timestamp.before.max.ms': long(LONG_MAX, 0n),
  'message.timestamp.difference.max.ms': long(LONG_MAX, 0n),
  'message.timestamp.type': { type: 'string', default: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'] },
  'min.cleanable.dirty.ratio': { type: 'double', default: '0.5', min: 0, max: 1 },
  'min.compaction.lag.ms': long(0, 0n),
  'min.insync.replicas': int(1, 1n),
  preallocate: bool(false),
  'remote.log.copy.disable': bool(false),
  'remote.log.delete.on.disable': bool(false),
  'remote.storage.enable': {
    type: 'boolean',
    default: 'false',
    check: (b) => (b ? 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.' : undefined),
  },
  'retention.bytes': long(-1),
  'retention.ms': long(DEFAULT_TOPIC_CONFIG.retentionMs, -1n),
  'segment.bytes': int(DEFAULT_TOPIC_CONFIG.segmentBytes, MIN_SEGMENT_BYTES),
  'segment.index.bytes': int(10 * 1024 * 1024, 4n),
  'segment.jitter.ms': long(0, 0n),
  'segment.ms': long(7 * 24 * 60 * 60 * 1000, 1n),
  'unclean.leader.election.enable': bool(false),
};

export function validateTopicName(name: string): void {
  let reason: string | undefined;
  if (name.length === 0) reason = 'the empty string is not allowed';
  else if (name === '.' || name === '..') reason = `'${name}' is not allowed`;
  else if (name.length > MAX_TOPIC_NAME_LENGTH) reason = `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  else if (!/^[a-zA-Z0-9._-]+$/.test(name)) reason = `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  if (reason !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is invalid: ${reason}`);
}

/** Kafka refuses topics that differ only by '.' vs '_' (their metric names would collide). */
export function collidesWith(a: string, b: string): boolean {
  return a !== b && a.replaceAll('.', '_') === b.replaceAll('.', '_');
}

function invalid(name: string, value: string, reason: string): KafkaError {
  // ConfigException's wording, which Kafka puts in the CreateTopics error message.
  return new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${reason}`);
}

/** Parses and checks one value as Kafka's ConfigDef does; returns it normalised (ConfigDef.convertToString). */
function normalise(name: string, spec: Spec, raw: string): string {
  const value = raw.trim();
  switch (spec.type) {
    case 'int':
    case 'long': {
      const [lo, hi] = spec.type === 'int' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
      const n = /^[+-]?\d+$/.test(value) ? BigInt(value) : undefined;
      if (n === undefined || n < lo || n > hi) throw invalid(name, raw, `Not a number of type ${spec.type.toUpperCase()}`);
      if (spec.min !== undefined && n < spec.min) throw invalid(name, raw, `Value must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw invalid(name, raw, `Value must be no more than ${spec.max}`);
      const problem = spec.check?.(n);
      if (problem !== undefined) throw invalid(name, raw, problem);
      return n.toString();
    }
    case 'double': {
      const n = value === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n)) throw invalid(name, raw, 'Not a number of type DOUBLE');
      if (n < spec.min || n > spec.max) throw invalid(name, raw, `Value must be between ${spec.min} and ${spec.max}`);
      return String(n);
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid(name, raw, 'Expected value to be either true or false');
      const problem = spec.check?.(lower === 'true');
      if (problem !== undefined) throw invalid(name, raw, problem);
      return lower;
    }
    case 'string': {
      if (spec.oneOf !== undefined && !spec.oneOf.includes(value)) throw invalid(name, raw, `String must be one of: ${spec.oneOf.join(', ')}`);
      const problem = spec.check?.(value);
      if (problem !== undefined) throw invalid(name, raw, problem);
      return value;
    }
    case 'list': {
      const items = value === '' ? [] : value.split(',').map((s) => s.trim());
      const problem = spec.check(items);
      if (problem !== undefined) throw invalid(name, raw, problem);
      return items.join(',');
    }
  }
}

/**
 * Validates Kafka-named topic configs; returns the normalised explicit values (as strings, for
 * persistence and describeConfigs). Throws KafkaError(INVALID_CONFIG) with a message naming the config.
 */
export function validateTopicConfigs(configs: Record<string, string | null>): Record<string, string> {
  const explicit: Record<string, string> = {};
  for (const [name, raw] of Object.entries(configs)) {
    const spec = Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
    if (spec === undefined) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    if (raw === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${name}`);
    explicit[name] = normalise(name, spec, raw);
  }
  const minLag = BigInt(explicit['min.compaction.lag.ms'] ?? '0');
  const maxLag = BigInt(explicit['max.compaction.lag.ms'] ?? String(LONG_MAX));
  if (minLag > maxLag) {
    // LogConfig.validateValues
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
  }
  return explicit;
}

/** The effective config of a topic: its explicit (already validated) values over the defaults. */
export function resolveTopicConfig(explicit: Record<string, string>, defaults: TopicConfig): TopicConfig {
  const num = (name: string, fallback: number): number => (explicit[name] === undefined ? fallback : Number(explicit[name]));
  const difference = explicit['message.timestamp.difference.max.ms'];
  // LogConfig.getMessageTimestampBeforeMaxMs/AfterMaxMs: the deprecated difference stands in while the
  // newer bound is left at its default.
  const bound = (name: string, fallback: bigint): bigint => {
    const own = explicit[name];
    if (own !== undefined && BigInt(own) !== LONG_MAX) return BigInt(own);
    return difference === undefined ? fallback : BigInt(difference);
  };
  return {
    retentionMs: num('retention.ms', defaults.retentionMs),
    retentionBytes: num('retention.bytes', defaults.retentionBytes),
    segmentBytes: num('segment.bytes', defaults.segmentBytes),
    maxMessageBytes: num('max.message.bytes', defaults.maxMessageBytes),
    cleanupPolicy: 'delete',
    messageTimestampType: (explicit['message.timestamp.type'] as TimestampType | undefined) ?? defaults.messageTimestampType,
    messageTimestampBeforeMaxMs: bound('message.timestamp.before.max.ms', defaults.messageTimestampBeforeMaxMs),
    messageTimestampAfterMaxMs: bound('message.timestamp.after.max.ms', defaults.messageTimestampAfterMaxMs),
  };
}

/** The value a topic reports for `name` when it has no explicit value: the broker's default. */
export function defaultConfigValue(name: string, defaults: TopicConfig): string {
  switch (name) {
    case 'retention.ms':
      return String(defaults.retentionMs);
    case 'retention.bytes':
      return String(defaults.retentionBytes);
    case 'segment.bytes':
      return String(defaults.segmentBytes);
    case 'max.message.bytes':
      return String(defaults.maxMessageBytes);
    case 'message.timestamp.type':
      return defaults.messageTimestampType;
    case 'message.timestamp.before.max.ms':
      return String(defaults.messageTimestampBeforeMaxMs);
    case 'message.timestamp.after.max.ms':
      return String(defaults.messageTimestampAfterMaxMs);
    default:
      return TOPIC_CONFIGS[name]?.default ?? '';
  }
}

/** Every topic config name, sorted as Kafka's DescribeConfigs lists them. */
export function allConfigNames(): string[] {
  return Object.keys(TOPIC_CONFIGS).sort();
}
