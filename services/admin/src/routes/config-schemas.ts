// JSON schemas of EvHub's config objects as the admin API accepts them: used by fastify to validate
// request bodies (types and unknown fields) and by /openapi.json. Value rules beyond types (dispatcher_id
// characters, required non-empty strings, ranges) are checked by @eventyard/db's normalizers, which name
// the field too.

const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
/** Shown by GET; accepted and ignored by POST, so a GET → edit → POST round trip needs no clean-up. */
const readOnlyTime = { type: 'string', readOnly: true, description: 'Set by the server; ignored on POST' } as const;
const nullableObject = (properties: Record<string, unknown>, description: string) =>
  ({ type: ['object', 'null'], additionalProperties: false, properties, description }) as const;

export const processorConfInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dispatcher_id', 'app_id', 'topic_id', 'protocol_type', 'addr'],
  properties: {
    dispatcher_id: { type: 'string', description: 'Processor id; part of a Kafka topic name ([a-zA-Z0-9._-], at most 227 characters)' },
    app_id: { type: 'string' },
    topic_id: { type: 'string' },
    protocol_type: { type: 'string', enum: ['grpcSend', 'httpSend'] },
    addr: { type: 'string', description: 'gRPC host:port (ip:// or dns:// prefix allowed) or HTTP host:port/path or URL' },
    timeout: { ...nonNegativeInt, description: 'Dispatch deadline, ms; 0 = service default' },
    retry_strategy: nullableObject(
      {
        retry_count: { ...nonNegativeInt, description: 'Total attempts including the first' },
        retry_interval: { ...nonNegativeInt, description: 'ms between attempts (base delay for exponential)' },
        strategy_type: { type: 'string', description: '"" / "fixed" or "exponential"' },
        max_interval: { ...nonNegativeInt, description: 'Cap for exponential backoff, ms' },
      },
      'Retries of failed dispatches',
    ),
    is_retry: { type: ['boolean', 'null'], description: 'false = one attempt whatever retry_strategy says; absent or null = retries follow retry_strategy' },
    is_flow_control: { type: 'boolean' },
    flow_control_strategy: nullableObject({ qps: nonNegativeInt, strategy_type: { type: 'string' } }, 'Rate limit of dispatches'),
    is_stop: { type: 'boolean', description: 'The router skips this processor' },
    filter_tag: { type: ['object', 'null'], additionalProperties: { type: 'boolean' }, description: 'tag → wanted; {} = no tag filter' },
    delay_process_key: { type: 'string' },
    filter: { type: ['object', 'null'], description: 'JSON payload filter ($eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or on dotted paths)' },
    ordered: { type: 'boolean', description: 'Strict per-key order' },
    paused: { type: 'boolean' },
    concurrency: { ...nonNegativeInt, description: 'Max in-flight dispatches; 0 = service default' },
    webhook_secret: { type: ['string', 'null'], description: 'Standard Webhooks signing secret; GET shows "[redacted]", and POSTing "[redacted]" keeps the stored one' },
    auth_token: { type: ['string', 'null'], description: 'Bearer token sent to the consumer; redacted like webhook_secret' },
    owner: { type: ['string', 'null'] },
    description: { type: 'string' },
    version: { ...nonNegativeInt, description: 'Optimistic lock: the version read; a stale one gets 409. Omit for a plain upsert' },
    created_at: readOnlyTime,
    updated_at: readOnlyTime,
  },
} as const;

export const producerConfInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['app_id', 'topic_id'],
  properties: {
    app_id: { type: 'string' },
    topic_id: { type: 'string' },
    tx_protocol_type: { ...nonNegativeInt, description: '5 = HTTP JSON check-back, otherwise gRPC Callback' },
    tx_address: { type: 'string' },
    tx_timeout: { ...nonNegativeInt, description: 'Check-back timeout, ms' },
    tx_callback_interval: { ...nonNegativeInt, description: 'Delay before the first check-back, ms' },
    qps: { ...nonNegativeInt, description: 'Report rate limit; 0 = unlimited' },
    msg_size: nonNegativeInt,
    total_msg: nonNegativeInt,
    storage_period: nonNegativeInt,
    version: { ...nonNegativeInt, description: 'Optimistic lock, as for processors' },
    created_at: readOnlyTime,
    updated_at: readOnlyTime,
  },
} as const;

export const retSchema = {
  type: 'object',
  required: ['code', 'msg'],
  properties: { code: { type: 'integer', description: '0 = success, 10000 = invalid parameter, 20005 = system error' }, msg: { type: 'string' } },
} as const;
