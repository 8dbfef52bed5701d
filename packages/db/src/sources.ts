// Sources (Kafka topics whose records become events): the config rows the admin writes and the producer
// follows. Values pass @eventyard/evhub's normalizeSource before they are written, so a row always reads
// back as a valid source; writes carry the optimistic `version` as processors and producers do.
import { expectedVersion as checkVersion, normalizeSource, type SourceConfig } from '@eventyard/evhub';
import type { Knex } from 'knex';
import { deleteVersioned, patchVersioned, writeVersioned } from './versioned-rows.ts';
import type { WriteOptions } from './processors.ts';

export type { SourceConfig } from '@eventyard/evhub';

export interface SourceRecord extends SourceConfig {
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Full upsert (create or replace); every write increments `version`. Throws EY_INVALID_CONFIG naming the field. */
export async function upsertSource(knex: Knex, input: unknown, options: WriteOptions = {}): Promise<SourceRecord> {
  const { source_id, ...config } = normalizeSource(input);
  const row = await writeVersioned(knex, {
    table: 'sources',
    key: { source_id },
    // jsonb wants JSON text.
    columns: { ...config, cluster: config.cluster === null ? null : JSON.stringify(config.cluster), mapping: JSON.stringify(config.mapping) },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `source "${source_id}"`,
  });
  return row as unknown as SourceRecord;
}

export async function getSource(knex: Knex, sourceId: string): Promise<SourceRecord | undefined> {
  return (await knex('sources').where({ source_id: sourceId }).first()) as SourceRecord | undefined;
}

export interface ListSourcesOptions {
  app_id?: string;
  /** Keyset cursor: the source_id of the last row of the previous page. */
  after?: string;
  /** @default no limit */
  limit?: number;
}

/** Sources ordered by source_id. */
export async function listSources(knex: Knex, options: ListSourcesOptions = {}): Promise<SourceRecord[]> {
  const query = knex('sources').orderBy('source_id');
  if (options.app_id !== undefined) query.where({ app_id: options.app_id });
  if (options.after !== undefined) query.where('source_id', '>', options.after);
  if (options.limit !== undefined) query.limit(options.limit);
  return (await query) as SourceRecord[];
}

export async function deleteSource(knex: Knex, sourceId: string, options: WriteOptions = {}): Promise<boolean> {
  return deleteVersioned(knex, {
    table: 'sources',
    key: { source_id: sourceId },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `source "${sourceId}"`,
  });
}

/** Pause or resume; undefined when the source does not exist. */
export async function setSourcePaused(knex: Knex, sourceId: string, paused: boolean, options: WriteOptions = {}): Promise<SourceRecord | undefined> {
  const row = await patchVersioned(knex, {
    table: 'sources',
    key: { source_id: sourceId },
    columns: { paused },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `source "${sourceId}"`,
  });
  return row as unknown as SourceRecord | undefined;
}
