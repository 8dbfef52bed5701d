/**
 * The EvHub domain every Eventyard service and tool shares, so that no service imports another: Report
 * validation and the Kafka record a Report becomes, the processor filter engine, EvHub's Go-struct JSON
 * (both directions), the processor/producer config objects and the status-change records of
 * `eventyard.status`. Pure code over @eventyard/core and @eventyard/proto: no I/O of its own (the
 * StatusPublisher sends through the producer its caller hands it), no Postgres.
 *
 * @example
 * // Producer: check a Report, then build the record that carries it.
 * const valid = validateReport(request, { maxEventBytes: 1 << 20, idempotencyDefaultWindowMs: 86_400_000 });
 * const record = buildReportRecord(valid, { eventId, nowMs: Date.now() });
 * // Router and admin: compile a processor's filters once, evaluate them per event.
 * const filters = compileProcessorFilters({ filter_tag: { vip: true }, filter: { 'order.amount': { $gte: 100 } } });
 * evaluateEvent(filters, prepareEvent({ tags: ['vip'], data: Buffer.from('{"order":{"amount":250}}') }));
 * // HTTP peers: EvHub's Go-struct JSON out, either JSON form in.
 * const body = messageToJson('evhub_transaction.CallbackReq', req);
 * const rsp = messageFromJson<CallbackRsp__Output>('evhub_transaction.CallbackRsp', JSON.parse(text));
 * // Admin, CLI, db: one description of the config objects.
 * const processor = normalizeProcessor({ dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' });
 */
export { EvhubErrors } from './error-codes.ts';
export type { EvhubErrorCode } from './error-codes.ts';

export { validateReport, MAX_DELAY_MS, MIN_REPEAT_INTERVAL_MS, type ValidReport, type ValidationLimits } from './report/validate-report.ts';
export { APP_ID_HEADER, buildReportRecord, EVENT_ID_HEADER, type BuildRecordOptions, type OutgoingRecord } from './report/report-record.ts';
export { invalidField, REPORT_INVALID } from './report/invalid-field.ts';
export { durationMs, formatMs, timestampMs, timestampOf } from './report/proto-time.ts';
export { parseCrontab } from './report/crontab.ts';

export * from './filter/index.ts';

export { messageFromJson, lowerCamel } from './proto-json/message-from-json.ts';
export { messageToJson, type MessageToJsonOptions } from './proto-json/message-to-json.ts';
export type { JsonObject, JsonValue } from './proto-json/json-types.ts';

export {
  checkProcessorTypes,
  normalizeProcessor,
  PROCESSOR_FIELDS,
  processorConfInfoSchema,
  PROTOCOL_TYPES,
  type FlowControlStrategy,
  type ProcessorConfig,
  type ProcessorInput,
  type ProcessorTls,
  type ProtocolType,
  type RetryStrategy,
  WEBHOOK_FORMATS,
  type WebhookFormat,
} from './config/processor-config.ts';
export {
  CIRCUIT_BREAKER_DEFAULTS,
  circuitBreakerOf,
  normalizeCircuitBreaker,
  type CircuitBreakerConfig,
  type CircuitBreakerInput,
} from './config/circuit-breaker.ts';
export * from './transform/index.ts';
export { assertWebhookSecret, generateWebhookSecret, SECRET_REDACTED, secretFingerprint, WEBHOOK_SECRET_PREFIX } from './config/webhook-secret.ts';
export {
  checkProducerTypes,
  normalizeProducer,
  PRODUCER_FIELDS,
  producerConfInfoSchema,
  type ProducerConfig,
  type ProducerInput,
} from './config/producer-config.ts';
export {
  checkFieldTypes,
  configJsonSchema,
  normalizeFields,
  RECORD_FIELDS,
  type ConfigField,
  type ConfigFields,
  type JsonSchemaOptions,
} from './config/config-field.ts';
export {
  bool,
  expectedVersion,
  invalid as invalidConfigField,
  MAX_INT32,
  nonNegativeInt,
  nullableString,
  optionalString,
  plainObject,
  requiredString,
} from './config/field-checks.ts';
export {
  normalizeSource,
  SASL_MECHANISMS,
  sourceSchema,
  type SourceCluster,
  type SourceConfig,
  type SourceInput,
  type SourceMapping,
  type SourceSasl,
  type SourceSaslMechanism,
} from './config/source-config.ts';

export {
  DELIVERY_CHANGE_STATUSES,
  deliveryStatusChange,
  deliveryStatusChangeSchema,
  FINAL_CHANGE_STATUSES,
  MAX_STATUS_ERROR_CHARS,
  parseStatusChange,
  processorStateChange,
  processorStateChangeSchema,
  STATUS_CHANGE_VERSION,
  statusChangeRecord,
  statusChangeSchema,
  type DeliveryChangeStatus,
  type DeliveryStatusChange,
  type ProcessorStateChange,
  type StatusChange,
} from './status/status-change.ts';
export { StatusBatcher, type StatusBatcherOptions } from './status/status-batcher.ts';
export { StatusPublisher, type StatusPublisherOptions } from './status/status-publisher.ts';
