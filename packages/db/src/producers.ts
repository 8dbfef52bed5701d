// Producer configs (EvHub's `producer_conf_info`): transaction check-back settings per (app_id, topic_id)
// and the fields EvHub accepted but never used (kept so a round trip loses nothing; `qps` is honoured
// as a Report rate limit). Durations are milliseconds. The config object is @eventyard/evhub's.
import { expectedVersion as checkVersion, normalizeProducer, type ProducerConfig, type ProducerInput } from '@eventyard/evhub';
import type { Knex } from 'knex';
import { deleteVersioned, writeVersioned } from './versioned-rows.ts';
import type { WriteOptions } from './processors.ts';

// Re-exported: this module's functions take and return them.
export type { ProducerConfig, ProducerInput } from '@eventyard/evhub';

export interface ProducerRecord extends ProducerConfig {
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Full upsert (EvHub's POST /v1/producer); every write increments `version`. */
export async function upsertProducer(knex: Knex, input: ProducerInput, options: WriteOptions = {}): Promise<ProducerRecord> {
  const { app_id, topic_id, tls, ...rest } = normalizeProducer(input);
  const row = await writeVersioned(knex, {
    table: 'producers',
    key: { app_id, topic_id },
    // jsonb wants JSON text.
    columns: { ...rest, tls: tls === null ? null : JSON.stringify(tls) },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `producer "${app_id}/${topic_id}"`,
  });
  return fromRow(row);
}

export async function getProducer(knex: Knex, appId: string, topicId: string): Promise<ProducerRecord | undefined> {
  const row = (await knex('producers').where({ app_id: appId, topic_id: topicId }).first()) as Record<string, unknown> | undefined;
  return row === undefined ? undefined : fromRow(row);
}

export interface ListProducersOptions {
  app_id?: string;
  /** Keyset cursor: the (app_id, topic_id) of the last row of the previous page. */
  after?: { app_id: string; topic_id: string };
  /** @default no limit */
  limit?: number;
}

/** Producers ordered by (app_id, topic_id). */
export async function listProducers(knex: Knex, options: ListProducersOptions = {}): Promise<ProducerRecord[]> {
  const query = knex('producers').orderBy([{ column: 'app_id' }, { column: 'topic_id' }]);
  if (options.app_id !== undefined) query.where({ app_id: options.app_id });
  if (options.after !== undefined) query.whereRaw('(app_id, topic_id) > (?, ?)', [options.after.app_id, options.after.topic_id]);
  if (options.limit !== undefined) query.limit(options.limit);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map(fromRow);
}

export async function deleteProducer(knex: Knex, appId: string, topicId: string, options: WriteOptions = {}): Promise<boolean> {
  return deleteVersioned(knex, {
    table: 'producers',
    key: { app_id: appId, topic_id: topicId },
    expectedVersion: checkVersion(options.expectedVersion),
    what: `producer "${appId}/${topicId}"`,
  });
}

function fromRow(row: Record<string, unknown>): ProducerRecord {
  // bigint arrives as a decimal string; total_msg stays within Number.MAX_SAFE_INTEGER by validation.
  return { ...(row as unknown as ProducerRecord), total_msg: Number(row.total_msg) };
}

/** What the producer enforces per (app_id, topic_id): the Report rate limit and the anonymous grant. */
export interface ProducerIngestSettings {
  app_id: string;
  topic_id: string;
  qps: number;
  anonymous: boolean;
}

/** Only the producers that limit or open ingest (qps > 0 or anonymous), for the producer's in-memory view. */
export async function listProducerIngestSettings(knex: Knex): Promise<ProducerIngestSettings[]> {
  return (await knex('producers')
    .select('app_id', 'topic_id', 'qps', 'anonymous')
    .where('qps', '>', 0)
    .orWhere('anonymous', true)
    .orderBy(['app_id', 'topic_id'])) as ProducerIngestSettings[];
}
