// Processor configs (EvHub's `processor_conf_info` plus our extensions): validated full upserts with
// optimistic locking, lookups and keyset-paginated listing. The config object itself (fields, value
// rules, types) is @eventyard/evhub's, shared with the admin API and the CLI.
import { bool, expectedVersion as checkVersion, normalizeProcessor, type ProcessorConfig, type ProcessorInput } from '@eventyard/evhub';
import type { Knex } from 'knex';
import { deleteVersioned, patchVersioned, writeVersioned } from './versioned-rows.ts';

// Re-exported: this module's functions take and return them.
export { PROTOCOL_TYPES, type FlowControlStrategy, type ProcessorConfig, type ProcessorInput, type ProcessorTls, type ProtocolType, type RetryStrategy } from '@eventyard/evhub';

export interface ProcessorRecord extends ProcessorConfig {
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface WriteOptions {
  /** See VersionedWrite.expectedVersion: omitted = plain upsert, 0 = create only, n = only if still n. */
  expectedVersion?: number;
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

const JSON_COLUMNS = ['retry_strategy', 'flow_control_strategy', 'filter_tag', 'filter', 'tls'] as const;

function toColumns(config: Omit<ProcessorConfig, 'dispatcher_id'>): Record<string, unknown> {
  const columns: Record<string, unknown> = { ...config };
  // pg would turn a JS array into a Postgres array literal; jsonb wants JSON text.
  for (const name of JSON_COLUMNS) columns[name] = config[name] === null ? null : JSON.stringify(config[name]);
  return columns;
}

function fromRow(row: Record<string, unknown>): ProcessorRecord {
  return row as unknown as ProcessorRecord;
}
