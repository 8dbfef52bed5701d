// A source: a Kafka topic whose records become events of one (app_id, topic_id), read by the producer
// service (docs/adr/0004-kafka-sources-in-the-producer.md). The topic is on Eventyard's own cluster, or on
// another one whose credentials are given by reference only: names of environment variables and paths of
// files mounted from Secrets, never the secrets themselves, so no row in Postgres holds one. The mapping
// says how a record becomes a Report: `data` from the value (JSON required, or any bytes), `orderingKey`
// from the record key or a header, tags from headers, an idempotency key from a header.
// One normalizer serves the admin (before a row is written), the CLI (a file checked before any call) and
// the producer (a row read back): every error names the field.
import { assertValidDispatcherId, ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { invalid, MAX_INT32 } from './field-checks.ts';
import { normalizeProcessorTls, PROCESSOR_TLS_FIELDS, type ProcessorTls } from './processor-tls.ts';
import { MAX_DELAY_MS } from '../report/validate-report.ts';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SourceSaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL credentials, each read from an environment variable of the producer or a mounted file. */
export interface SourceSasl {
  mechanism: SourceSaslMechanism;
  username_env?: string;
  username_file?: string;
  password_env?: string;
  password_file?: string;
}

/** Another Kafka cluster; null on a source = Eventyard's own (EY_KAFKA_*). */
export interface SourceCluster {
  brokers: string[];
  sasl: SourceSasl | null;
  /** null = plaintext; `{}` = TLS against the system CAs; files as a processor's `tls`. */
  tls: ProcessorTls | null;
}

export interface SourceMapping {
  /** `json`: the value must be a JSON document (else the record is dead-lettered); `bytes`: any value. */
  data: 'json' | 'bytes';
  /** orderingKey from the record key, a header, or none (events get their own id as key). */
  ordering_key: { from: 'key' } | { from: 'header'; header: string } | { from: 'none' };
  /** Each header present becomes a tag (its value); absent headers add nothing. */
  tag_headers: string[];
  /** The Report's idempotency key from this header (a record without it is dead-lettered); null = none. */
  idempotency_key: { header: string; window_ms: number } | null;
}

export interface SourceConfig {
  source_id: string;
  app_id: string;
  topic_id: string;
  /** The Kafka topic read. */
  topic: string;
  cluster: SourceCluster | null;
  mapping: SourceMapping;
  /** Where a new consumer group starts: the oldest record kept, or only records produced from now on. */
  start_from: 'earliest' | 'latest';
  paused: boolean;
  description: string;
}

export type SourceInput = Pick<SourceConfig, 'source_id' | 'app_id' | 'topic_id' | 'topic'> &
  Partial<Omit<SourceConfig, 'cluster' | 'mapping'>> & { cluster?: unknown; mapping?: unknown };

const TOP_FIELDS = ['source_id', 'app_id', 'topic_id', 'topic', 'cluster', 'mapping', 'start_from', 'paused', 'description'] as const;
/** Set by the server: shown by GET, ignored when written back. */
const RECORD_FIELDS = new Set(['version', 'created_at', 'updated_at']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/** host:port, host a name or an IPv4 / bracketed IPv6 literal. */
const BROKER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):\d{1,5}$/;
/** Header names: printable ASCII, so a mapping can name exactly what producers set. */
const HEADER = /^[\x21-\x7e]{1,255}$/;
const MAX_TAG_HEADERS = 32;
const MAX_BROKERS = 64;
/** Room left in a group id `eventyard-source.<source_id>` and in Kafka's naming rules. */
const MAX_SOURCE_ID = 200;

/** Validates and normalises a source; throws a ValidationError (EY_INVALID_CONFIG) naming the first bad field. */
export function normalizeSource(input: unknown): SourceConfig {
  if (!isPlainObject(input)) throw new ValidationError(EvhubErrors.EY_INVALID_CONFIG, 'source must be an object');
  unknownFields(input, TOP_FIELDS, '', RECORD_FIELDS);
  const sourceId = requiredText(input.source_id, 'source_id', MAX_SOURCE_ID);
  // Part of a consumer group id: the same character rules as a topic name.
  assertKafkaName(sourceId, 'source_id');
  const topic = requiredText(input.topic, 'topic', 249);
  assertKafkaName(topic, 'topic');
  const startFrom = input.start_from ?? 'latest';
  if (startFrom !== 'earliest' && startFrom !== 'latest') throw invalid('start_from', 'must be one of earliest, latest');
  return {
    source_id: sourceId,
    app_id: requiredText(input.app_id, 'app_id', 255),
    topic_id: requiredText(input.topic_id, 'topic_id', 255),
    topic,
    cluster: normalizeCluster(input.cluster),
    mapping: normalizeMapping(input.mapping),
    start_from: startFrom,
    paused: boolOf(input.paused, 'paused'),
    description: input.description === undefined || input.description === null ? '' : text(input.description, 'description', 4096),
  };
}

function normalizeCluster(value: unknown): SourceCluster | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw invalid('cluster', "must be an object (another Kafka cluster) or null (Eventyard's own)");
  unknownFields(value, ['brokers', 'sasl', 'tls'], 'cluster.');
  if (!Array.isArray(value.brokers) || value.brokers.length === 0) throw invalid('cluster.brokers', 'is required (a non-empty list of host:port)');
  if (value.brokers.length > MAX_BROKERS) throw invalid('cluster.brokers', `must list at most ${MAX_BROKERS} brokers`);
  const brokers = value.brokers.map((broker, index) => {
    if (typeof broker !== 'string' || !BROKER.test(broker)) throw invalid(`cluster.brokers[${index}]`, 'must be host:port');
    return broker;
  });
  return {
    brokers,
    sasl: normalizeSasl(value.sasl),
    tls: value.tls === undefined || value.tls === null ? null : (normalizeProcessorTls(value.tls, 'cluster.tls') ?? {}),
  };
}

function normalizeSasl(value: unknown): SourceSasl | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw invalid('cluster.sasl', 'must be an object or null');
  if ('username' in value || 'password' in value) {
    throw invalid(
      'cluster.sasl',
      'takes credentials by reference only: username_env / password_env (an environment variable of the producer) or username_file / password_file (a file mounted from a Secret), never the values',
    );
  }
  unknownFields(value, ['mechanism', 'username_env', 'username_file', 'password_env', 'password_file'], 'cluster.sasl.');
  if (!(SASL_MECHANISMS as readonly unknown[]).includes(value.mechanism))
    throw invalid('cluster.sasl.mechanism', `must be one of ${SASL_MECHANISMS.join(', ')}`);
  const sasl: SourceSasl = { mechanism: value.mechanism as SourceSaslMechanism };
  for (const part of ['username', 'password'] as const) {
    const env = value[`${part}_env`];
    const file = value[`${part}_file`];
    if ((env === undefined || env === null) === (file === undefined || file === null))
      throw invalid(`cluster.sasl.${part}_env`, `or ${part}_file: exactly one is required`);
    if (env !== undefined && env !== null) {
      if (typeof env !== 'string' || !ENV_NAME.test(env))
        throw invalid(`cluster.sasl.${part}_env`, 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
      sasl[`${part}_env`] = env;
    } else {
      if (typeof file !== 'string' || !file.startsWith('/') || file.includes('\n') || file.length > 1024)
        throw invalid(`cluster.sasl.${part}_file`, 'must be an absolute file path (a file mounted from a Secret)');
      sasl[`${part}_file`] = file;
    }
  }
  return sasl;
}

function normalizeMapping(value: unknown): SourceMapping {
  if (value !== undefined && value !== null && !isPlainObject(value)) throw invalid('mapping', 'must be an object');
  const input = value ?? {};
  unknownFields(input, ['data', 'ordering_key', 'tag_headers', 'idempotency_key'], 'mapping.');
  const data = input.data ?? 'json';
  if (data !== 'json' && data !== 'bytes') throw invalid('mapping.data', 'must be one of json, bytes');
  let orderingKey: SourceMapping['ordering_key'] = { from: 'key' };
  if (input.ordering_key !== undefined && input.ordering_key !== null) {
    if (!isPlainObject(input.ordering_key)) throw invalid('mapping.ordering_key', 'must be an object: {from: key | header | none, header?}');
    const ordering = input.ordering_key;
    unknownFields(ordering, ['from', 'header'], 'mapping.ordering_key.');
    if (ordering.from === 'header') orderingKey = { from: 'header', header: headerName(ordering.header, 'mapping.ordering_key.header') };
    else if (ordering.from === 'key' || ordering.from === 'none') {
      if (ordering.header !== undefined && ordering.header !== null) throw invalid('mapping.ordering_key.header', `applies only with from: header`);
      orderingKey = { from: ordering.from };
    } else throw invalid('mapping.ordering_key.from', 'must be one of key, header, none');
  }
  const tags = input.tag_headers ?? [];
  if (!Array.isArray(tags)) throw invalid('mapping.tag_headers', 'must be a list of header names');
  if (tags.length > MAX_TAG_HEADERS) throw invalid('mapping.tag_headers', `must list at most ${MAX_TAG_HEADERS} headers`);
  const tagHeaders = tags.map((tag, index) => headerName(tag, `mapping.tag_headers[${index}]`));
  let idempotency: SourceMapping['idempotency_key'] = null;
  if (input.idempotency_key !== undefined && input.idempotency_key !== null) {
    if (!isPlainObject(input.idempotency_key)) throw invalid('mapping.idempotency_key', 'must be an object: {header, window_ms?}');
    const key = input.idempotency_key;
    unknownFields(key, ['header', 'window_ms'], 'mapping.idempotency_key.');
    const windowMs = key.window_ms ?? 0;
    if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < 0 || windowMs > Math.min(MAX_DELAY_MS, MAX_INT32)) {
      throw invalid('mapping.idempotency_key.window_ms', `must be an integer from 0 (the producer's default window) to ${Math.min(MAX_DELAY_MS, MAX_INT32)}`);
    }
    idempotency = { header: headerName(key.header, 'mapping.idempotency_key.header'), window_ms: windowMs };
  }
  return { data, ordering_key: orderingKey, tag_headers: tagHeaders, idempotency_key: idempotency };
}

function headerName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HEADER.test(value)) throw invalid(field, 'must be a header name (1-255 printable ASCII characters, no spaces)');
  return value;
}

function assertKafkaName(value: string, field: string): void {
  try {
    assertValidDispatcherId(value, field);
  } catch (err) {
    // The same character rules as a topic name, reported as a config error of this object.
    throw invalid(field, (err as Error).message.slice(field.length + 1));
  }
}

function requiredText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'is required (a non-empty string)');
  return text(value, field, max);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  // Postgres text cannot hold U+0000.
  if (value.includes('\u0000')) throw invalid(field, 'must not contain a NUL character');
  return value;
}

function boolOf(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

function unknownFields(object: Record<string, unknown>, known: readonly string[], prefix: string, ignored: ReadonlySet<string> = new Set()): void {
  for (const name of Object.keys(object)) {
    if (!known.includes(name) && !ignored.has(name)) throw invalid(`${prefix}${name}`, `is not a known field (${known.join(', ')})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const stringList = (description: string) => ({ type: 'array', items: { type: 'string' }, description });
const header = { type: 'string', minLength: 1, maxLength: 255 };

/**
 * The JSON schema of `source` in the admin API (types only; normalizeSource gives the value rules their
 * messages). Shown in /openapi.json.
 */
export const sourceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source_id', 'app_id', 'topic_id', 'topic'],
  properties: {
    source_id: { type: 'string', description: 'Id of the source ([a-zA-Z0-9._-], at most 200); its consumer group is eventyard-source.<source_id>' },
    app_id: { type: 'string', description: 'app_id of the events its records become' },
    topic_id: { type: 'string', description: 'topic_id of the events its records become' },
    topic: { type: 'string', description: 'The Kafka topic read' },
    cluster: {
      type: ['object', 'null'],
      description: "Another Kafka cluster; null = Eventyard's own. Credentials by reference only",
      additionalProperties: false,
      properties: {
        brokers: stringList('host:port of its bootstrap brokers'),
        sasl: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            mechanism: { type: 'string', enum: [...SASL_MECHANISMS] },
            username_env: { type: 'string', description: 'Environment variable of the producer holding the username' },
            username_file: { type: 'string', description: 'Absolute path of a file (mounted from a Secret) holding the username' },
            password_env: { type: 'string', description: 'Environment variable of the producer holding the password' },
            password_file: { type: 'string', description: 'Absolute path of a file (mounted from a Secret) holding the password' },
          },
        },
        tls: {
          type: ['object', 'null'],
          additionalProperties: false,
          description: 'TLS to the brokers: {} = system CAs; files mounted from Secrets, as a processor tls',
          properties: Object.fromEntries(
            Object.entries(PROCESSOR_TLS_FIELDS).map(([name, field]) => [name, { type: 'string', description: field.description }]),
          ),
        },
      },
    },
    mapping: {
      type: 'object',
      additionalProperties: false,
      properties: {
        data: {
          type: 'string',
          enum: ['json', 'bytes'],
          description: 'json (default): the value must be a JSON document, else the record is dead-lettered; bytes: any value',
        },
        ordering_key: {
          type: ['object', 'null'],
          additionalProperties: false,
          description: 'orderingKey of the event: from the record key (default), a header, or none',
          properties: { from: { type: 'string', enum: ['key', 'header', 'none'] }, header },
        },
        tag_headers: { ...stringList('Headers whose values become tags of the event (absent ones add nothing)'), maxItems: MAX_TAG_HEADERS },
        idempotency_key: {
          type: ['object', 'null'],
          additionalProperties: false,
          description: "The Report's idempotency key from a header (a record without it is dead-lettered)",
          properties: { header, window_ms: { type: 'integer', minimum: 0, description: "Idempotency window; 0 = the producer's default" } },
        },
      },
    },
    start_from: {
      type: 'string',
      enum: ['earliest', 'latest'],
      description: 'Where a new consumer group starts (default latest); a group with committed offsets resumes from them',
    },
    paused: { type: 'boolean', description: 'Stop reading (the group keeps its offsets)' },
    description: { type: 'string' },
    version: { type: 'integer', minimum: 0, description: 'Optimistic lock: 0 = create only; n = update only while the stored version is n' },
    created_at: { type: 'string', readOnly: true },
    updated_at: { type: 'string', readOnly: true },
  },
} as const;
