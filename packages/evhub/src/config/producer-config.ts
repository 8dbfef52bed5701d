// A producer's config: EvHub's `producer_conf_info`, the transaction check-back settings per (app_id,
// topic_id) and the fields EvHub accepted but never used (kept so a round trip loses nothing; `qps` is
// honoured as a Report rate limit). Durations are milliseconds.
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { checkFieldTypes, configJsonSchema, normalizeFields, type ConfigField } from './config-field.ts';
import { invalid } from './field-checks.ts';
import { normalizeProcessorTls, PROCESSOR_TLS_FIELDS, type ProcessorTls } from './processor-tls.ts';

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
  /** Report rate limit per second, shared by all producer instances; 0 = unlimited. */
  qps: number;
  /** Reports for this (app_id, topic_id) need no API key even with EY_REQUIRE_API_KEY=true (EvHub clients that cannot send one). */
  anonymous: boolean;
  msg_size: number;
  total_msg: number;
  storage_period: number;
  /** TLS towards the check-back (tx_address), as a processor's `tls`; null = plaintext gRPC / the URL's scheme. */
  tls: ProcessorTls | null;
}

export type ProducerInput = Pick<ProducerConfig, 'app_id' | 'topic_id'> & Partial<ProducerConfig>;

/** tx_protocol_type of an HTTP JSON check-back. */
const HTTP_JSON = 5;

/** Every field of a producer, in the order the normalized object and the JSON schema list them. */
export const PRODUCER_FIELDS: { readonly [K in keyof ProducerConfig]-?: ConfigField } = {
  app_id: { type: 'string', required: true },
  topic_id: { type: 'string', required: true },
  tx_protocol_type: { type: 'integer', max: 1000, description: '5 = HTTP JSON check-back, otherwise gRPC Callback' },
  tx_address: { type: 'string', max: 2048 },
  tx_timeout: { type: 'integer', description: 'Check-back timeout, ms' },
  tx_callback_interval: { type: 'integer', description: 'Delay before the first check-back, ms' },
  qps: { type: 'integer', description: 'Report rate limit per second, shared by all producer instances; 0 = unlimited' },
  anonymous: { type: 'boolean', description: 'Accept Reports for this app_id/topic_id without an API key (EY_REQUIRE_API_KEY=true otherwise requires one)' },
  msg_size: { type: 'integer' },
  // A Postgres bigint, read back as a JS number: capped where numbers stay exact.
  total_msg: { type: 'integer', max: Number.MAX_SAFE_INTEGER },
  storage_period: { type: 'integer' },
  tls: {
    type: 'object',
    nullable: true,
    fields: PROCESSOR_TLS_FIELDS,
    description:
      'TLS towards the check-back tx_address: files mounted from Secrets, as a processor tls. null = plaintext gRPC; HTTP check-backs: https:// only',
    normalize: normalizeProcessorTls,
  },
};

/** Validates and normalises producer input; throws a ValidationError naming the first bad field. */
export function normalizeProducer(input: ProducerInput): ProducerConfig {
  if (typeof input !== 'object' || input === null) throw new ValidationError(EvhubErrors.EY_INVALID_CONFIG, 'producer config must be an object');
  const config = normalizeFields(PRODUCER_FIELDS, input) as unknown as ProducerConfig;
  if (config.tls !== null && config.tx_protocol_type === HTTP_JSON && !/^https:\/\//i.test(config.tx_address.trim())) {
    throw invalid('tls', 'applies to an https:// tx_address only (HTTP check-back): use an https:// URL or remove tls');
  }
  return config;
}

/** JSON types and unknown fields of a producer (a config file entry); see checkFieldTypes. */
export function checkProducerTypes(entry: unknown): Record<string, unknown> {
  return checkFieldTypes(PRODUCER_FIELDS, entry);
}

/** The admin API's JSON schema of `producer_conf_info`. */
export const producerConfInfoSchema = configJsonSchema(PRODUCER_FIELDS, { versionDescription: 'Optimistic lock, as for processors' });
