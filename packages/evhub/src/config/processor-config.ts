// A processor's config: EvHub's `processor_conf_info` plus our extensions (filters, backoff, ordering,
// pause, secrets). Field names are EvHub's JSON names; PROCESSOR_FIELDS is the one description of them.
import { assertValidDispatcherId, ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { checkFieldTypes, configJsonSchema, normalizeFields, type ConfigField } from './config-field.ts';
import { invalid, nullableString } from './field-checks.ts';
import { CIRCUIT_BREAKER_FIELDS, normalizeCircuitBreaker, type CircuitBreakerInput } from './circuit-breaker.ts';
import { normalizeProcessorTls, PROCESSOR_TLS_FIELDS, type ProcessorTls } from './processor-tls.ts';
import { assertWebhookSecret, SECRET_REDACTED } from './webhook-secret.ts';
import { compileTransform, MAX_TRANSFORM_LENGTH } from '../transform/compile-transform.ts';

export type { ProcessorTls } from './processor-tls.ts';

export const PROTOCOL_TYPES = ['grpcSend', 'httpSend'] as const;
export type ProtocolType = (typeof PROTOCOL_TYPES)[number];

/** How an httpSend processor's webhook body looks: EvHub's DispatchReq JSON, or a CloudEvent (binary or structured mode). */
export const WEBHOOK_FORMATS = ['evhub', 'cloudevents_binary', 'cloudevents_structured'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

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
  /** Standard Webhooks signing secret (`whsec_…`): httpSend signs with it, grpcSend puts the signature in metadata. */
  webhook_secret: string | null;
  /** Bearer token sent to the consumer. */
  auth_token: string | null;
  /** TLS towards the processor, by reference to mounted files; null = plaintext gRPC / the URL's scheme. */
  tls: ProcessorTls | null;
  /** When the dispatcher stops calling a failing endpoint, how it probes it, when it pauses it; null = the defaults. */
  circuit_breaker: CircuitBreakerInput | null;
  /** JSONata expression reshaping the JSON payload before delivery; null = delivered as reported. */
  transform: string | null;
  /** The transform's result is `{body, headers}`: body the new payload, headers added to the webhook request (httpSend only). */
  transform_headers: boolean;
  /** httpSend body: `evhub` (DispatchReq JSON) or a CloudEvent in binary or structured mode. */
  webhook_format: WebhookFormat;
  owner: string | null;
  description: string;
}

/** Input to an upsert: the EvHub-required fields, everything else defaulted (POST is a full replace). */
export type ProcessorInput = Pick<ProcessorConfig, 'dispatcher_id' | 'app_id' | 'topic_id' | 'protocol_type' | 'addr'> & Partial<ProcessorConfig>;

const ms = (description: string): ConfigField => ({ type: 'integer', description });

/** Every field of a processor, in the order the normalized object and the JSON schema list them. */
export const PROCESSOR_FIELDS: { readonly [K in keyof ProcessorConfig]-?: ConfigField } = {
  dispatcher_id: {
    type: 'string',
    required: true,
    description: 'Processor id; part of a Kafka topic name ([a-zA-Z0-9._-], at most 227 characters)',
    normalize: (value, field) => {
      if (typeof value !== 'string') throw invalid(field, 'is required (a string)');
      assertValidDispatcherId(value, field);
      return value;
    },
  },
  app_id: { type: 'string', required: true },
  topic_id: { type: 'string', required: true },
  protocol_type: { type: 'string', required: true, enum: PROTOCOL_TYPES },
  addr: { type: 'string', required: true, max: 2048, description: 'gRPC host:port (ip:// or dns:// prefix allowed) or HTTP host:port/path or URL' },
  timeout: ms('Dispatch deadline, ms; 0 = service default'),
  retry_strategy: {
    type: 'object',
    nullable: true,
    description: 'Retries of failed dispatches',
    fields: {
      retry_count: { type: 'integer', max: 1_000_000, description: 'Total attempts including the first' },
      retry_interval: ms('ms between attempts (base delay for exponential)'),
      strategy_type: { type: 'string', max: 64, description: '"" / "fixed" or "exponential"' },
      max_interval: { ...ms('Cap for exponential backoff, ms'), omitWhenAbsent: true },
    },
  },
  is_retry: {
    type: 'boolean',
    nullable: true,
    description: 'false = one attempt whatever retry_strategy says; absent or null = retries follow retry_strategy',
  },
  is_flow_control: { type: 'boolean' },
  flow_control_strategy: {
    type: 'object',
    nullable: true,
    description: 'Rate limit of dispatches',
    fields: { qps: { type: 'integer' }, strategy_type: { type: 'string', max: 64 } },
  },
  is_stop: { type: 'boolean', description: 'The router skips this processor' },
  filter_tag: { type: 'object', nullable: true, values: 'boolean', description: 'tag → wanted; {} = no tag filter' },
  delay_process_key: { type: 'string', max: 255 },
  filter: { type: 'object', nullable: true, description: 'JSON payload filter ($eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or on dotted paths)' },
  ordered: { type: 'boolean', description: 'Strict per-key order' },
  paused: { type: 'boolean' },
  concurrency: { type: 'integer', max: 100_000, description: 'Max in-flight dispatches; 0 = service default' },
  webhook_secret: {
    type: 'string',
    nullable: true,
    max: 1024,
    description:
      'Standard Webhooks signing secret, "whsec_" + base64 of 24..64 bytes; generated for an httpSend processor that has none (shown once). GET shows "[redacted]", and POSTing "[redacted]" keeps the stored one',
    normalize: (value, field) => {
      const secret = nullableString(value, field, 1024);
      // The marker is resolved against the stored row by the repository (@eventyard/db), never stored.
      return secret === null || secret === SECRET_REDACTED ? secret : assertWebhookSecret(secret, field);
    },
  },
  auth_token: { type: 'string', nullable: true, max: 4096, description: 'Bearer token sent to the consumer; redacted like webhook_secret' },
  tls: {
    type: 'object',
    nullable: true,
    fields: PROCESSOR_TLS_FIELDS,
    description:
      'TLS towards the processor: files mounted from Secrets (chart processorTls.secrets), never PEM content. null = plaintext gRPC; {} = TLS with system CAs; httpSend: https:// addresses only',
    normalize: normalizeProcessorTls,
  },
  circuit_breaker: {
    type: 'object',
    nullable: true,
    fields: CIRCUIT_BREAKER_FIELDS,
    description:
      'Circuit breaker and auto-pause: after a run of failures (consecutive_failures in a row, or failure_ratio_percent of at least min_calls attempts within window_ms) deliveries wait in the delivery topic; one probe at a time after probe_interval_ms (doubling up to max_probe_interval_ms) closes it on success. Failing without a success for auto_pause_after_ms pauses the processor. null = the defaults',
    normalize: normalizeCircuitBreaker,
  },
  transform: {
    type: 'string',
    nullable: true,
    max: MAX_TRANSFORM_LENGTH,
    description:
      "JSONata expression reshaping the JSON payload before delivery: the payload is `$`, the event's facts `$event` (event_id, app_id, topic_id, tags, source, dispatcher_id, retry_times, repeat_times); the result is the new payload. Compiled when saved (a syntax error is a 400 with its position); a payload that is not JSON, an evaluation error, the time budget or the output limit dead-letters that delivery with the reason. null = none",
    normalize: (value, field) => {
      const expression = nullableString(value, field, MAX_TRANSFORM_LENGTH);
      if (expression !== null) compileTransform(expression, field);
      return expression;
    },
  },
  transform_headers: {
    type: 'boolean',
    description:
      'The transform returns {"body": …, "headers": {name: value}}: body is the new payload, headers are added to the webhook request (httpSend only)',
  },
  webhook_format: {
    type: 'string',
    enum: WEBHOOK_FORMATS,
    description:
      'httpSend body: "evhub" (DispatchReq JSON, the default), "cloudevents_binary" (the payload as body, attributes in ce-* headers) or "cloudevents_structured" (application/cloudevents+json)',
    normalize: (value, field) => {
      if (value === undefined || value === null) return 'evhub';
      if (typeof value !== 'string' || !(WEBHOOK_FORMATS as readonly string[]).includes(value))
        throw invalid(field, `must be one of ${WEBHOOK_FORMATS.join(', ')}`);
      return value;
    },
  },
  owner: { type: 'string', nullable: true, max: 255 },
  description: { type: 'string', max: 4096 },
};

/** Validates and normalises processor input; throws a ValidationError naming the first bad field. */
export function normalizeProcessor(input: ProcessorInput): ProcessorConfig {
  if (typeof input !== 'object' || input === null) throw new ValidationError(EvhubErrors.EY_INVALID_CONFIG, 'processor config must be an object');
  const config = normalizeFields(PROCESSOR_FIELDS, input) as unknown as ProcessorConfig;
  // A webhook's scheme says whether it is TLS: files for a plain http:// address would silently go unused.
  if (config.tls !== null && config.protocol_type === 'httpSend' && !/^https:\/\//i.test(config.addr.trim())) {
    throw invalid('tls', 'applies to an https:// addr only (httpSend): use an https:// URL or remove tls');
  }
  // Settings a gRPC Dispatch has no place for would silently do nothing.
  if (config.protocol_type !== 'httpSend' && config.webhook_format !== 'evhub') throw invalid('webhook_format', 'applies to httpSend processors only');
  if (config.protocol_type !== 'httpSend' && config.transform_headers)
    throw invalid('transform_headers', 'applies to httpSend processors only (headers of the webhook request)');
  if (config.transform_headers && config.transform === null) throw invalid('transform_headers', 'needs a transform');
  return config;
}

/** JSON types and unknown fields of a processor (a config file entry); see checkFieldTypes. */
export function checkProcessorTypes(entry: unknown): Record<string, unknown> {
  return checkFieldTypes(PROCESSOR_FIELDS, entry);
}

/** The admin API's JSON schema of `processor_conf_info`. */
export const processorConfInfoSchema = configJsonSchema(PROCESSOR_FIELDS, {
  versionDescription: 'Optimistic lock: the version read; a stale one gets 409. Omit for a plain upsert',
});
