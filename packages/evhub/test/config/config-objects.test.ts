// The one description of EvHub's config objects and the three things derived from it: the normalizer
// (db, CLI), the type check of a config file (CLI) and the admin API's JSON schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import {
  checkProcessorTypes,
  CIRCUIT_BREAKER_DEFAULTS,
  circuitBreakerOf,
  checkProducerTypes,
  normalizeProcessor,
  normalizeProducer,
  PROCESSOR_FIELDS,
  processorConfInfoSchema,
  PRODUCER_FIELDS,
  producerConfInfoSchema,
  type ProcessorInput,
} from '../../src/index.ts';

const billing: ProcessorInput = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' };

function refused(code: string, message: string) {
  return (err: unknown) => isEventyardError(err) && err.code === code && err.message === message && err.resultCode === 10000;
}

test('a minimal processor gets every field, defaulted, in the table’s order', () => {
  const config = normalizeProcessor(billing);
  assert.deepEqual(Object.keys(config), Object.keys(PROCESSOR_FIELDS));
  assert.deepEqual(config, {
    ...billing,
    timeout: 0,
    retry_strategy: { retry_count: 0, retry_interval: 0, strategy_type: '' },
    is_retry: null,
    is_flow_control: false,
    flow_control_strategy: { qps: 0, strategy_type: '' },
    is_stop: false,
    filter_tag: {},
    delay_process_key: '',
    filter: null,
    ordered: false,
    paused: false,
    concurrency: 0,
    webhook_secret: null,
    auth_token: null,
    tls: null,
    circuit_breaker: null,
    transform: null,
    transform_headers: false,
    webhook_format: 'evhub',
    owner: null,
    description: '',
  });
  assert.equal(normalizeProcessor({ ...billing, retry_strategy: { max_interval: 5000 } }).retry_strategy.max_interval, 5000);
  assert.equal(normalizeProcessor({ ...billing, webhook_secret: '' }).webhook_secret, null);
  assert.equal(normalizeProcessor({ ...billing, timeout: '250' as unknown as number }).timeout, 250);
});

test('tls names mounted files, never PEM, and suits the protocol', () => {
  const grpcProcessor = { ...billing, protocol_type: 'grpcSend' as const, addr: 'billing.internal:9001' };
  assert.deepEqual(normalizeProcessor({ ...grpcProcessor, tls: {} }).tls, {}, '{} = TLS with system CAs');
  assert.equal(normalizeProcessor({ ...grpcProcessor, tls: null }).tls, null);
  const files = {
    ca_file: '/etc/eventyard/processor-tls/billing/ca.crt',
    cert_file: '/etc/eventyard/processor-tls/billing/tls.crt',
    key_file: '/etc/eventyard/processor-tls/billing/tls.key',
    server_name: 'billing.internal',
  };
  // An empty string is "not set", left out of the stored object.
  assert.deepEqual(normalizeProcessor({ ...grpcProcessor, tls: { ...files, server_name: '' } }).tls, {
    ca_file: files.ca_file,
    cert_file: files.cert_file,
    key_file: files.key_file,
  });
  assert.deepEqual(normalizeProcessor({ ...billing, addr: 'https://billing.example/hook', protocol_type: 'httpSend', tls: files }).tls, files);
  const refused: Array<[unknown, string]> = [
    [{ ca_file: '-----BEGIN CERTIFICATE-----\nMIIB' }, 'tls.ca_file must be an absolute file path'],
    [{ ca_file: 'ca.crt' }, 'tls.ca_file must be an absolute file path'],
    [{ cert_file: '/a/tls.crt' }, 'tls cert_file and key_file go together'],
    [{ key: '/a/tls.key' }, 'tls.key is not a known field'],
    [{ server_name: 'bad name' }, 'tls.server_name must be a host name'],
    ['yes', 'tls must be an object'],
  ];
  for (const [tls, message] of refused) {
    assert.throws(
      () => normalizeProcessor({ ...grpcProcessor, tls } as never),
      (err: Error) => err.message.startsWith(message),
      message,
    );
  }
  assert.throws(
    () => normalizeProcessor({ ...billing, protocol_type: 'httpSend', addr: 'billing.example/hook', tls: {} }),
    /tls applies to an https:\/\/ addr only/,
  );
});

test('circuit_breaker keeps the fields set, checks their bounds, and fills in the defaults when read', () => {
  assert.equal(normalizeProcessor({ ...billing, circuit_breaker: null }).circuit_breaker, null);
  assert.deepEqual(normalizeProcessor({ ...billing, circuit_breaker: { consecutive_failures: 3, enabled: false } }).circuit_breaker, {
    consecutive_failures: 3,
    enabled: false,
  });
  assert.deepEqual(circuitBreakerOf(null), CIRCUIT_BREAKER_DEFAULTS);
  assert.deepEqual(CIRCUIT_BREAKER_DEFAULTS, {
    enabled: true,
    consecutive_failures: 10,
    failure_ratio_percent: 50,
    window_ms: 60_000,
    min_calls: 20,
    probe_interval_ms: 5000,
    max_probe_interval_ms: 300_000,
    auto_pause_after_ms: 432_000_000,
  });
  assert.equal(circuitBreakerOf({ auto_pause_after_ms: 0 }).auto_pause_after_ms, 0, '0 = never');
  const refused: Array<[unknown, string]> = [
    [{ failure_ratio_percent: 101 }, 'circuit_breaker.failure_ratio_percent must be at most 100'],
    [{ window_ms: 10 }, 'circuit_breaker.window_ms must be at least 1000'],
    [{ min_calls: 0 }, 'circuit_breaker.min_calls must be at least 1'],
    [{ consecutive_failures: -1 }, 'circuit_breaker.consecutive_failures must be a non-negative integer'],
    [{ probe_interval_ms: 60_000, max_probe_interval_ms: 1000 }, 'circuit_breaker.max_probe_interval_ms must be at least probe_interval_ms (60000)'],
    [{ enabled: 'yes' }, 'circuit_breaker.enabled must be true or false'],
    [{ threshold: 3 }, 'circuit_breaker.threshold is not a known field'],
    [[], 'circuit_breaker must be an object'],
  ];
  for (const [breaker, message] of refused) {
    assert.throws(
      () => normalizeProcessor({ ...billing, circuit_breaker: breaker } as never),
      (err: Error) => err.message.startsWith(message),
      message,
    );
  }
  assert.throws(() => checkProcessorTypes({ ...billing, circuit_breaker: { window: 1 } }), /circuit_breaker.window is not a known field/);
});

test('value rules name the field', () => {
  const cases: Array<[Partial<Record<string, unknown>>, string, string]> = [
    [{ dispatcher_id: 'has space' }, 'EY_INVALID_DISPATCHER_ID', 'dispatcher_id may contain only ASCII letters'],
    [{ dispatcher_id: 7 }, 'EY_INVALID_CONFIG', 'dispatcher_id is required (a string)'],
    [{ app_id: ' ' }, 'EY_INVALID_CONFIG', 'app_id is required (a non-empty string)'],
    [{ protocol_type: 'smtp' }, 'EY_INVALID_CONFIG', 'protocol_type must be one of grpcSend, httpSend'],
    [{ addr: 'x'.repeat(2049) }, 'EY_INVALID_CONFIG', 'addr must be at most 2048 characters'],
    [{ retry_strategy: { retry_count: 1_000_001 } }, 'EY_INVALID_CONFIG', 'retry_strategy.retry_count must be at most 1000000'],
    [{ retry_strategy: [] }, 'EY_INVALID_CONFIG', 'retry_strategy must be an object'],
    [{ filter_tag: { vip: 'yes' } }, 'EY_INVALID_CONFIG', 'filter_tag.vip must be true or false'],
    [{ is_retry: 'no' }, 'EY_INVALID_CONFIG', 'is_retry must be true or false'],
    [{ concurrency: 100_001 }, 'EY_INVALID_CONFIG', 'concurrency must be at most 100000'],
    [{ owner: 'o'.repeat(256) }, 'EY_INVALID_CONFIG', 'owner must be at most 255 characters'],
  ];
  for (const [patch, code, message] of cases) {
    assert.throws(
      () => normalizeProcessor({ ...billing, ...patch }),
      (err: unknown) => {
        assert.ok(isEventyardError(err), JSON.stringify(patch));
        assert.equal(err.code, code);
        assert.ok(err.message.startsWith(message), `${err.message} starts with ${message}`);
        return true;
      },
    );
  }
  assert.throws(
    () => normalizeProducer({ app_id: 'a', topic_id: 't', tx_protocol_type: 1001 }),
    refused('EY_INVALID_CONFIG', 'tx_protocol_type must be at most 1000'),
  );
  assert.throws(() => normalizeProcessor(null as unknown as ProcessorInput), refused('EY_INVALID_CONFIG', 'processor config must be an object'));
});

test('a producer gets every field, defaulted', () => {
  const config = normalizeProducer({ app_id: 'shop', topic_id: 'order', tx_protocol_type: 5, total_msg: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(Object.keys(config), Object.keys(PRODUCER_FIELDS));
  assert.equal(config.total_msg, Number.MAX_SAFE_INTEGER);
  assert.equal(config.tx_address, '');
});

test('type checks refuse what the admin schema refuses and skip the server’s bookkeeping fields', () => {
  assert.deepEqual(checkProcessorTypes({ ...billing, version: 3, created_at: 'x', updated_at: 'y' }), billing);
  const cases: Array<[unknown, string]> = [
    [[], 'must be a mapping of fields'],
    [{ ...billing, colour: 'red' }, 'colour is not a known field'],
    [{ ...billing, timeout: '5' }, 'timeout must be an integer'],
    [{ ...billing, timeout: -5 }, 'timeout must be a non-negative integer'],
    [{ ...billing, retry_strategy: { tries: 3 } }, 'retry_strategy.tries is not a known field'],
    [{ ...billing, filter_tag: { vip: 1 } }, 'filter_tag.vip must be true or false'],
    [{ ...billing, filter: [] }, 'filter must be a mapping'],
    [{ ...billing, is_stop: null }, 'is_stop must be true or false'],
    [{ dispatcher_id: 'x', app_id: 'a', topic_id: 't', protocol_type: 'httpSend' }, 'addr is required'],
  ];
  for (const [entry, message] of cases) assert.throws(() => checkProcessorTypes(entry), refused('EY_INVALID_CONFIG', message), message);
  assert.deepEqual(checkProcessorTypes({ ...billing, is_retry: null, owner: null, filter: null }), { ...billing, is_retry: null, owner: null, filter: null });
  assert.throws(() => checkProducerTypes({ app_id: 'a' }), refused('EY_INVALID_CONFIG', 'topic_id is required'));
});

test('the JSON schemas list the same fields as the table, plus the bookkeeping ones', () => {
  for (const [schema, fields] of [
    [processorConfInfoSchema, PROCESSOR_FIELDS],
    [producerConfInfoSchema, PRODUCER_FIELDS],
  ] as const) {
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(properties), [...Object.keys(fields), 'version', 'created_at', 'updated_at']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(
      schema.required,
      Object.entries(fields)
        .filter(([, field]) => field.required === true)
        .map(([name]) => name),
    );
  }
  const properties = processorConfInfoSchema.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(properties.retry_strategy?.type, ['object', 'null']);
  assert.equal(properties.retry_strategy?.additionalProperties, false);
  assert.deepEqual(properties.filter_tag?.additionalProperties, { type: 'boolean' });
  assert.deepEqual(properties.timeout, { type: 'integer', minimum: 0, description: 'Dispatch deadline, ms; 0 = service default' });
  assert.deepEqual(properties.protocol_type, { type: 'string', enum: ['grpcSend', 'httpSend'] });
});
