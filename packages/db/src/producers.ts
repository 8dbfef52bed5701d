// Producer configs (EvHub's `producer_conf_info`): transaction check-back settings per (app_id, topic_id)
// and the fields EvHub accepted but never used (kept so a round trip loses nothing; `qps` is honoured
// as a Report rate limit). Durations are milliseconds.
import { ValidationError } from '@eventyard/core';
import type { Knex } from 'knex';
import { nonNegativeInt, optionalString, requiredString, expectedVersion as checkVersion } from './field-checks.ts';
import { deleteVersioned, writeVersioned } from './versioned-rows.ts';
import type { WriteOptions } from './processors.ts';

export interface ProducerConfig {
  app_id: string;
  topic_id: string;
  /** 5 = HTTP JSON check-back, anything else = gRPC `Callback`. */
  tx_protocol_type: number;
  tx_address: string;
  /** Check-back call timeout, ms; 0 = default 5000. */
  tx_timeout: number;
  /** Delay before the first check-back, ms; 0 = default 120000. */
  tx_callback_interval: number;
  /** Report rate limit per second; 0 = unlimited. */
  qps: number;
  msg_size: number;
  total_msg: number;
  storage_period: number;
}

export interface ProducerRecord extends ProducerConfig {
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type ProducerInput = Pick<ProducerConfig, 'app_id' | 'topic_id'> & Partial<ProducerConfig>;

export function normalizeProducer(input: ProducerInput): ProducerConfig {
  if (typeof input !== 'object' || input === null) throw new ValidationError('EY_INVALID_CONFIG', 'producer config must be an object');
  return {
    app_id: requiredString(input.app_id, 'app_id'),
    topic_id: requiredString(input.topic_id, 'topic_id'),
    tx_protocol_type: nonNegativeInt(input.tx_protocol_type, 'tx_protocol_type', 0, 1000),
    tx_address: optionalString(input.tx_address, 'tx_address', '', 2048),
    tx_timeout: nonNegativeInt(input.tx_timeout, 'tx_timeout'),
    tx_callback_interval: nonNegativeInt(input.tx_callback_interval, 'tx_callback_interval'),
    qps: nonNegativeInt(input.qps, 'qps'),
    msg_size: nonNegativeInt(input.msg_size, 'msg_size'),
    total_msg: nonNegativeInt(input.total_msg, 'total_msg', 0, Number.MAX_SAFE_INTEGER),
    storage_period: nonNegativeInt(input.storage_period, 'storage_period'),
  };
}

/** Full upsert (EvHub's POST /v1/producer); every write increments `version`. */
export async function upsertProducer(knex: Knex, input: ProducerInput, options: WriteOptions = {}): Promise<ProducerRecord> {
  const { app_id, topic_id, ...columns } = normalizeProducer(input);
  const row = await writeVersioned(knex, {
    table: 'producers',
    key: { app_id, topic_id },
    columns,
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
