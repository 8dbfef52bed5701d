// Config from environment variables: one schema per service over `EY_*` variables, parsed once at
// start-up into a frozen object. Invalid config becomes a ConfigError whose message has one line per bad
// variable (`config: EY_DATABASE_URL: must be a postgres:// URL`), never a raw validation dump.
// The schemas are valibot's (a variable is a string, checked and converted in a pipe). valibot rather than
// zod: zod cost 9.4 MB of anonymous memory in every process that imported it, valibot 1.6 MB (issue #16's
// ≤ 100 MB per service). EnvField keeps the `.default()` / `.optional()` shape every service config is written in.
import * as v from 'valibot';
import { ConfigError } from './errors.ts';
import { CoreErrors } from './error-codes.ts';
import { DEFAULT_MAX_BATCH_BYTES } from './produce-chunks.ts';

type Env = Record<string, string | undefined>;

/** A variable as parsed: a valibot schema of its (possibly unset) value. */
export interface EnvVar<T> {
  readonly schema: v.GenericSchema<string | undefined, T>;
}

/** A set variable's schema: required as it is, or finished with `default()` or `optional()`. */
export class EnvField<T> implements EnvVar<T> {
  readonly schema: v.GenericSchema<string, T>;

  constructor(schema: v.GenericSchema<string, T>) {
    this.schema = schema;
  }

  /** Adds a check of the value so far; a failure reports `message` (later checks still run, conversions do not). */
  refine(check: (value: T) => boolean, options: { message: string }): EnvField<T> {
    return new EnvField(v.pipe(this.schema, v.check(check, options.message)));
  }

  /** Converts the value so far (only when every check before it passed). */
  transform<U>(convert: (value: T) => U): EnvField<U> {
    return new EnvField(v.pipe(this.schema, v.transform(convert)));
  }

  /** Unset (or empty) means `value`, taken as it is (already the parsed type). */
  default(value: T): EnvVar<T> {
    return {
      schema: v.pipe(
        v.optional(this.schema),
        v.transform((set) => (set === undefined ? value : set)),
      ),
    };
  }

  /** Unset (or empty) means undefined. */
  optional(): EnvVar<T | undefined> {
    return { schema: v.optional(this.schema) };
  }
}

/** What parseEnv makes of a shape: each variable's parsed type. */
export type EnvOutput<S extends Record<string, EnvVar<unknown>>> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

const integer = (min: number, max: number) => (s: string) => /^-?\d+$/.test(s) && Number(s) >= min && Number(s) <= max;

/** Reusable field schemas with messages that say what was expected. */
export const field = {
  /** Any string: the start of a field with checks of its own (`refine`, `transform`). */
  string: () => new EnvField(v.string()),
  port: () => field.string().refine(integer(0, 65535), { message: 'must be an integer port 0-65535' }).transform(Number),
  int: (min: number, max = Number.MAX_SAFE_INTEGER) =>
    field
      .string()
      .refine(integer(min, max), { message: `must be an integer in [${min}, ${max}]` })
      .transform(Number),
  /** Only true/false/1/0: "yes" or "on" are refused rather than guessed. */
  bool: () => field.oneOf(['true', 'false', '1', '0'] as const, 'must be true, false, 1 or 0').transform((s) => s === 'true' || s === '1'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, message = `must be one of ${values.join(', ')}`): EnvField<T[number]> =>
    new EnvField(v.picklist(values, message)),
  /** A postgres:// URL. The message never echoes the value: it may hold a password. */
  postgresUrl: () => field.string().refine(isPostgresUrl, { message: 'must be a postgres://user:password@host:port/database URL' }),
  /** Comma-separated host:port list, as Kafka's bootstrap.servers. */
  brokers: () =>
    field
      .string()
      .refine((s) => s.split(',').every((b) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b.trim()) && Number(b.trim().split(':').pop()) <= 65535), {
        message: 'must be a comma-separated list of host:port',
      })
      .transform((s) => s.split(',').map((b) => b.trim())),
  /**
   * A comma-separated list whose entries `check` one by one (it throws an Error saying what is wrong with
   * one): every bad entry is its own line. Empty entries are dropped.
   */
  list: (check: (entry: string) => void) =>
    new EnvField(
      v.pipe(
        v.string(),
        v.rawCheck(({ dataset, addIssue }) => {
          if (!dataset.typed) return;
          for (const entry of splitList(dataset.value)) {
            try {
              check(entry);
            } catch (err) {
              addIssue({ message: (err as Error).message });
            }
          }
        }),
        v.transform(splitList),
      ),
    ),
};

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Parses `source` against a shape whose keys are variable names. `aliases` maps an accepted alternative
 * name (e.g. the conventional `DATABASE_URL`) to the canonical one; the canonical name wins when both are set.
 * Throws ConfigError listing every bad variable, one per line, under the name the user actually set.
 */
export function parseEnv<S extends Record<string, EnvVar<unknown>>>(shape: S, source: Env, aliases: Readonly<Record<string, string>> = {}): EnvOutput<S> {
  const input: Env = {};
  const setAs = new Map<string, string>();
  // Empty strings count as unset, so `EY_X=` in a .env file means "use the default".
  const read = (name: string) => (source[name] === '' ? undefined : source[name]);
  for (const key of Object.keys(shape)) {
    input[key] = read(key);
    if (input[key] !== undefined) setAs.set(key, key);
  }
  for (const [alias, canonical] of Object.entries(aliases)) {
    if (input[canonical] === undefined && read(alias) !== undefined) {
      input[canonical] = read(alias);
      setAs.set(canonical, alias);
    }
  }
  const output: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const [key, spec] of Object.entries(shape)) {
    const result = v.safeParse(spec.schema, input[key]);
    if (result.success) {
      output[key] = result.output;
      continue;
    }
    for (const issue of result.issues) lines.push(`config: ${setAs.get(key) ?? key}: ${input[key] === undefined ? 'required' : issue.message}`);
  }
  if (lines.length === 0) return Object.freeze(output) as EnvOutput<S>;
  throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, lines.join('\n'), { context: { variables: [...new Set(lines)] } });
}

/** Variables every service reads. */
export const coreEnv = {
  /** pino level. */
  EY_LOG_LEVEL: field.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const).default('info'),
  /** Where the embedded broker and Postgres keep their data. */
  EY_DATA_DIR: field.string().default('./data'),
  /** External Postgres; unset = embedded Postgres under EY_DATA_DIR (dev only). Alias: DATABASE_URL. */
  EY_DATABASE_URL: field.postgresUrl().optional(),
  /** Kafka bootstrap servers. Alias: KAFKA_BROKERS. */
  EY_KAFKA_BROKERS: field.brokers().default(['127.0.0.1:9092']),
  EY_KAFKA_CLIENT_ID: field.string().default('eventyard'),
  EY_KAFKA_SASL_MECHANISM: field.oneOf(['plain', 'scram-sha-256', 'scram-sha-512'] as const).optional(),
  EY_KAFKA_SASL_USERNAME: field.string().optional(),
  EY_KAFKA_SASL_PASSWORD: field.string().optional(),
  /** TLS to the brokers (system CAs unless EY_KAFKA_TLS_CA_FILE is given). */
  EY_KAFKA_TLS: field.bool().default(false),
  EY_KAFKA_TLS_CA_FILE: field.string().optional(),
  /** Partitions of the topics Eventyard creates (ingest, schedule, dead, one per processor). */
  EY_TOPIC_PARTITIONS: field.int(1, 10_000).default(6),
  /**
   * Replication factor of the topics Eventyard creates; -1 = the broker's default.replication.factor.
   * Services warn at start, naming the topic, where a topic they use has fewer replicas. Alias (older
   * name): EY_TOPIC_REPLICATION_FACTOR.
   */
  EY_KAFKA_REPLICATION_FACTOR: field.int(-1, 32).default(-1),
  /**
   * min.insync.replicas of the topics Eventyard creates (unset = the broker's default). With the
   * producers' acks=all, a write is acknowledged only once this many replicas have it.
   */
  EY_KAFKA_MIN_INSYNC_REPLICAS: field.int(1, 32).optional(),
  /**
   * Largest produce request a service sends, bytes (estimated encoded size of its records). Batches are
   * split under it, and a single record over it goes to eventyard.dead instead of being retried forever.
   * Keep it below the brokers' message.max.bytes and every Eventyard topic's max.message.bytes.
   */
  EY_KAFKA_MAX_BATCH_BYTES: field.int(16 * 1024, 512 * 1024 * 1024).default(DEFAULT_MAX_BATCH_BYTES),
  /**
   * How long a service's Kafka producer holds the first record of an idle moment for others to share its
   * produce request, ms (kafkajs has no linger). 0 = none: records made while a request is in flight
   * still wait for it and leave together, which costs no latency. A few ms trade latency for fewer requests.
   */
  EY_KAFKA_LINGER_MS: field.int(0, 1000).default(0),
  /** Port of /healthz, /readyz and /metrics. 0 = any free port. */
  EY_HEALTH_PORT: field.port().default(0),
  /** Interface of the health/metrics server: every one in a container; `eventyard dev` passes 127.0.0.1. */
  EY_HEALTH_HOST: field.string().default('0.0.0.0'),
};

export const coreEnvAliases = {
  DATABASE_URL: 'EY_DATABASE_URL',
  KAFKA_BROKERS: 'EY_KAFKA_BROKERS',
  EY_TOPIC_REPLICATION_FACTOR: 'EY_KAFKA_REPLICATION_FACTOR',
} as const;

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaConfig {
  brokers: readonly string[];
  clientId: string;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  tls?: { caFile?: string };
  /** EY_KAFKA_MAX_BATCH_BYTES: produce requests are split under it (sendInChunks). */
  maxBatchBytes: number;
  /** EY_KAFKA_LINGER_MS: the managed producers' linger. @default 0 */
  lingerMs?: number;
}

/** The variables every service reads, nested as the code uses them: what loadCoreConfig builds. */
export type CoreConfig = ReturnType<typeof loadCoreConfig>;

/** Parses the core variables into a nested, frozen config. Throws ConfigError. */
export function loadCoreConfig(source: Env) {
  const env = parseEnv(coreEnv, source, coreEnvAliases);
  const mechanism = env.EY_KAFKA_SASL_MECHANISM;
  if (mechanism !== undefined && (env.EY_KAFKA_SASL_USERNAME === undefined || env.EY_KAFKA_SASL_PASSWORD === undefined)) {
    const missing = env.EY_KAFKA_SASL_USERNAME === undefined ? 'EY_KAFKA_SASL_USERNAME' : 'EY_KAFKA_SASL_PASSWORD';
    throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, `config: ${missing}: required when EY_KAFKA_SASL_MECHANISM is set`);
  }
  const rf = env.EY_KAFKA_REPLICATION_FACTOR;
  const minIsr = env.EY_KAFKA_MIN_INSYNC_REPLICAS;
  if (minIsr !== undefined && rf !== -1 && minIsr > rf) {
    // Kafka would accept the topic and then refuse every acks=all write with NOT_ENOUGH_REPLICAS.
    throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, `config: EY_KAFKA_MIN_INSYNC_REPLICAS: must be at most EY_KAFKA_REPLICATION_FACTOR (${rf})`);
  }
  const kafka: KafkaConfig = {
    brokers: env.EY_KAFKA_BROKERS,
    clientId: env.EY_KAFKA_CLIENT_ID,
    maxBatchBytes: env.EY_KAFKA_MAX_BATCH_BYTES,
    lingerMs: env.EY_KAFKA_LINGER_MS,
    ...(mechanism === undefined ? {} : { sasl: { mechanism, username: env.EY_KAFKA_SASL_USERNAME ?? '', password: env.EY_KAFKA_SASL_PASSWORD ?? '' } }),
    ...(env.EY_KAFKA_TLS ? { tls: env.EY_KAFKA_TLS_CA_FILE === undefined ? {} : { caFile: env.EY_KAFKA_TLS_CA_FILE } } : {}),
  };
  return deepFreeze({
    logLevel: env.EY_LOG_LEVEL,
    dataDir: env.EY_DATA_DIR,
    ...(env.EY_DATABASE_URL === undefined ? {} : { databaseUrl: env.EY_DATABASE_URL }),
    kafka,
    topics: {
      partitions: env.EY_TOPIC_PARTITIONS,
      replicationFactor: rf,
      ...(minIsr === undefined ? {} : { minInsyncReplicas: minIsr }),
    },
    healthPort: env.EY_HEALTH_PORT,
    healthHost: env.EY_HEALTH_HOST,
  });
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
