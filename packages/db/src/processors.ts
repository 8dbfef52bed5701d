// Processor configs (EvHub's `processor_conf_info` plus our extensions): validated full upserts with
// optimistic locking, lookups and keyset-paginated listing. Field names are EvHub's JSON names.
import { assertValidDispatcherId, ValidationError } from '@eventyard/core';
import type { Knex } from 'knex';
import { bool, invalid, nonNegativeInt, nullableString, optionalString, plainObject, requiredString, expectedVersion as checkVersion } from './field-checks.ts';
import { deleteVersioned, patchVersioned, writeVersioned } from './versioned-rows.ts';

export const PROTOCOL_TYPES = ['grpcSend', 'httpSend'] as const;
export type ProtocolType = (typeof PROTOCOL_TYPES)[number];

export interface RetryStrategy {
  /** Total attempts including the first; ≤ 1 means one attempt. */
  retry_count?: number;
  /** Milliseconds between attempts (the base delay for "exponential"). */
  retry_interval?: number;
  /** "" / "fixed" (EvHub's default) or "exponential" (our extension: jittered, capped by max_interval). */
  strategy_type?: string;
  /** Cap for exponential backoff, milliseconds. */
  max_interval?: number;
}

export interface FlowControlStrategy {
  qps?: number;
  strategy_type?: string;
}

/** What a processor is configured to do (everything but the bookkeeping columns). */
export interface ProcessorConfig {
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  protocol_type: ProtocolType;
  /** gRPC `host:port` (`ip://`/`dns://` prefix allowed) or HTTP `host:port/path` / URL. */
  addr: string;
  /** Milliseconds per Dispatch call; 0 = service default. */
  timeout: number;
  retry_strategy: RetryStrategy;
  /** false = one attempt whatever retry_strategy says; null = not set, retries follow retry_strategy (as in EvHub). */
  is_retry: boolean | null;
  is_flow_control: boolean;
  flow_control_strategy: FlowControlStrategy;
  /** EvHub's stop flag: the router skips this processor. */
  is_stop: boolean;
  /** tag → wanted; `{}` = no tag filter. */
  filter_tag: Record<string, boolean>;
  delay_process_key: string;
  /** JSON payload filter; null = none. Compiled and checked by the caller before saving. */
  filter: unknown;
  /** Strict per-key order: a failing event holds back later events of its key. */
  ordered: boolean;
  /** Dispatch held until resumed; deliveries wait in the delivery topic. */
  paused: boolean;
  /** Max in-flight dispatches; 0 = service default. */
  concurrency: number;
  /** Standard Webhooks signing secret for httpSend. */
  webhook_secret: string | null;
  /** Bearer token sent to the consumer. */
  auth_token: string | null;
  owner: string | null;
  description: string;
}

export interface ProcessorRecord extends ProcessorConfig {
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Input to an upsert: the EvHub-required fields, everything else defaulted (POST is a full replace). */
export type ProcessorInput = Pick<ProcessorConfig, 'dispatcher_id' | 'app_id' | 'topic_id' | 'protocol_type' | 'addr'> & Partial<ProcessorConfig>;

export interface WriteOptions {
  /** See VersionedWrite.expectedVersion: omitted = plain upsert, 0 = create only, n = only if still n. */
  expectedVersion?: number;
}

/** Validates and normalises processor input; throws a ValidationError naming the first bad field. */
export function normalizeProcessor(input: ProcessorInput): ProcessorConfig {
  if (typeof input !== 'object' || input === null) throw new ValidationError('EY_INVALID_CONFIG', 'processor config must be an object');
  if (typeof input.dispatcher_id !== 'string') throw invalid('dispatcher_id', 'is required (a string)');
  assertValidDispatcherId(input.dispatcher_id, 'dispatcher_id');
  const protocolType = input.protocol_type as unknown;
  if (!PROTOCOL_TYPES.includes(protocolType as ProtocolType)) throw invalid('protocol_type', `must be one of ${PROTOCOL_TYPES.join(', ')}`);
  const retry = plainObject(input.retry_strategy, 'retry_strategy');
  const flow = plainObject(input.flow_control_strategy, 'flow_control_strategy');
  const filterTag = plainObject(input.filter_tag, 'filter_tag');
  for (const [tag, wanted] of Object.entries(filterTag)) bool(wanted, `filter_tag.${tag}`);
  const retryStrategy: RetryStrategy = {
    retry_count: nonNegativeInt(retry.retry_count, 'retry_strategy.retry_count', 0, 1_000_000),
    retry_interval: nonNegativeInt(retry.retry_interval, 'retry_strategy.retry_interval'),
    strategy_type: optionalString(retry.strategy_type, 'retry_strategy.strategy_type', '', 64),
  };
  if (retry.max_interval !== undefined) retryStrategy.max_interval = nonNegativeInt(retry.max_interval, 'retry_strategy.max_interval');
  return {
    dispatcher_id: input.dispatcher_id,
    app_id: requiredString(input.app_id, 'app_id'),
    topic_id: requiredString(input.topic_id, 'topic_id'),
    protocol_type: protocolType as ProtocolType,
    addr: requiredString(input.addr, 'addr', 2048),
    timeout: nonNegativeInt(input.timeout, 'timeout'),
    retry_strategy: retryStrategy,
    is_retry: input.is_retry === undefined || input.is_retry === null ? null : bool(input.is_retry, 'is_retry'),
    is_flow_control: bool(input.is_flow_control, 'is_flow_control'),
    flow_control_strategy: {
      qps: nonNegativeInt(flow.qps, 'flow_control_strategy.qps'),
      strategy_type: optionalString(flow.strategy_type, 'flow_control_strategy.strategy_type', '', 64),
    },
    is_stop: bool(input.is_stop, 'is_stop'),
    filter_tag: filterTag as Record<string, boolean>,
    delay_process_key: optionalString(input.delay_process_key, 'delay_process_key', '', 255),
    filter: input.filter ?? null,
    ordered: bool(input.ordered, 'ordered'),
    paused: bool(input.paused, 'paused'),
    concurrency: nonNegativeInt(input.concurrency, 'concurrency', 0, 100_000),
    webhook_secret: nullableString(input.webhook_secret, 'webhook_secret', 1024),
    auth_token: nullableString(input.auth_token, 'auth_token', 4096),
    owner: nullableString(input.owner, 'owner', 255),
    description: optionalString(input.description, 'description', '', 4096),
  };
}

/** Full upsert (EvHub's POST /v1/processor); every write increments `version`. */
export async function upsertProcessor(knex: Knex, input: ProcessorInput, options: WriteOptions = {}): Promise<ProcessorRecord> {
  const config = normalizeProcessor(input);
  const { dispatcher_id, ...rest } = config;
  const row = await writeVersioned(knex, {
    table: 'processors',
    key: { dispatcher_id },
    columns: toColumns(rest),
    expectedVersion: checkVersion(options.expectedVersion),
    what: `processor "${dispatcher_id}"`,
  });
  return fromRow(row);
}

export async function getProcessor(knex: Knex, dispatcherId: string): Promise<ProcessorRecord | undefined> {
  const row = (await knex('processors').where({ dispatcher_id: dispatcherId }).first()) as Record<string, unknown> | undefined;
  return row === undefined ? undefined : fromRow(row);
}

export interface ListProcessorsOptions {
  app_id?: string;
  topic_id?: string;
  /** Keyset cursor: the last dispatcher_id of the previous page. */
  after?: string;
  /** @default no limit */
  limit?: number;
}

/** Processors ordered by dispatcher_id. */
export async function listProcessors(knex: Knex, options: ListProcessorsOptions = {}): Promise<ProcessorRecord[]> {
  const query = knex('processors').orderBy('dispatcher_id');
  if (options.app_id !== undefined) query.where({ app_id: options.app_id });
  if (options.topic_id !== undefined) query.where({ topic_id: options.topic_id });
  if (options.after !== undefined) query.where('dispatcher_id', '>', options.after);
  if (options.limit !== undefined) query.limit(options.limit);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map(fromRow);
}

/** Deletes a processor; false when it did not exist. */
export async function deleteProcessor(knex: Knex, dispatcherId: string, options: WriteOptions = {}): Promise<boolean> {
  return deleteVersioned(knex, {
    table: 'processors',
    key: { dispatcher_id: dispatcherId },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `processor "${dispatcherId}"`,
  });
}

/** Pause/resume and stop flags without a full replace; undefined when the processor does not exist. */
export async function setProcessorFlags(
  knex: Knex,
  dispatcherId: string,
  flags: { is_stop?: boolean; paused?: boolean },
  options: WriteOptions = {},
): Promise<ProcessorRecord | undefined> {
  const columns: Record<string, unknown> = {};
  if (flags.is_stop !== undefined) columns.is_stop = bool(flags.is_stop, 'is_stop');
  if (flags.paused !== undefined) columns.paused = bool(flags.paused, 'paused');
  const row = await patchVersioned(knex, {
    table: 'processors',
    key: { dispatcher_id: dispatcherId },
    columns,
    expectedVersion: checkVersion(options.expectedVersion),
    what: `processor "${dispatcherId}"`,
  });
  return row === undefined ? undefined : fromRow(row);
}

const JSON_COLUMNS = ['retry_strategy', 'flow_control_strategy', 'filter_tag', 'filter'] as const;

function toColumns(config: Omit<ProcessorConfig, 'dispatcher_id'>): Record<string, unknown> {
  const columns: Record<string, unknown> = { ...config };
  // pg would turn a JS array into a Postgres array literal; jsonb wants JSON text.
  for (const name of JSON_COLUMNS) columns[name] = config[name] === null ? null : JSON.stringify(config[name]);
  return columns;
}

function fromRow(row: Record<string, unknown>): ProcessorRecord {
  return row as unknown as ProcessorRecord;
}
