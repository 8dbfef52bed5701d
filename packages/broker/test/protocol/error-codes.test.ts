// The error-code table against Errors.java's numbering as kafkajs 2.2.4 knows it, and the api
// key / version table against what the broker must advertise (issue 4).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import {
  ApiKey,
  ErrorCode,
  SCHEMAS,
  SUPPORTED_VERSIONS,
  UnsupportedVersionError,
  ProtocolDecodeError,
  apiName,
  decodeRequest,
  decodeRequestHeader,
  encodeRequest,
  errorName,
  isSupported,
} from '../../src/protocol/index.ts';
import { KAFKA_ERRORS, KafkaError, errorCodeOf, errorMessageOf, isRetriable } from '../../src/kafka-errors.ts';

const require = createRequire(import.meta.url);
const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; code: number }> };
const kafkajsApiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;

test('every error code kafkajs knows has the same number here, mostly under the same name', () => {
  const byCode = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));
  const renamed: string[] = [];
  for (const { type, code } of errorCodes) {
    assert.ok(byCode.has(code), `code ${code} (${type}) missing`);
    if (type in ErrorCode) assert.equal(ErrorCode[type as keyof typeof ErrorCode], code, type);
    else renamed.push(`${type}=${code}→${byCode.get(code)}`);
  }
  // kafkajs uses a few older names (UNKNOWN for -1, NOT_LEADER_FOR_PARTITION for 6...); the numbers agree.
  assert.ok(renamed.length < 10, renamed.join(', '));
});

test('the error table is complete and unique', () => {
  const codes = Object.values(ErrorCode);
  assert.equal(new Set(codes).size, codes.length, 'no code reused');
  for (let code = -1; code <= 128; code++) assert.ok(errorName(code), `code ${code} has a name`);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
  assert.equal(errorName(3), 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(errorName(9999), undefined);
});

test("api keys match kafkajs and the advertised ranges are the issue's", () => {
  // kafkajs still calls FindCoordinator by its old name.
  for (const [name, key] of Object.entries(ApiKey)) assert.equal(kafkajsApiKeys[name === 'FindCoordinator' ? 'GroupCoordinator' : name], key, name);
  assert.deepEqual(Object.fromEntries([...SUPPORTED_VERSIONS].map(([key, range]) => [apiName(key), `${range.min}-${range.max}`])), {
    Produce: '3-7',
    Fetch: '4-11',
    ListOffsets: '0-3',
    Metadata: '0-6',
    OffsetCommit: '0-5',
    OffsetFetch: '1-4',
    FindCoordinator: '0-2',
    JoinGroup: '0-5',
    Heartbeat: '0-3',
    LeaveGroup: '0-3',
    SyncGroup: '0-3',
    DescribeGroups: '0-2',
    ListGroups: '0-2',
    ApiVersions: '0-2',
    CreateTopics: '0-3',
    DeleteTopics: '0-1',
    DeleteRecords: '0-1',
    InitProducerId: '0-1',
    DescribeConfigs: '0-2',
    CreatePartitions: '0-1',
    DeleteGroups: '0-1',
  });
  for (const [key, range] of SUPPORTED_VERSIONS) {
    const schemas = SCHEMAS.get(key);
    assert.ok(schemas, `schemas for ${key}`);
    assert.deepEqual(schemas.request.versions, range);
    assert.deepEqual(schemas.response.versions, range);
    assert.equal(schemas.request.apiKey, key);
  }
});

test('unsupported api keys and versions are UnsupportedVersionError with the key and version', () => {
  const frame = encodeRequest(ApiKey.ApiVersions, 2, 5, 'c', {}).subarray(4);
  frame.writeInt16BE(3, 2); // ApiVersions v3 (flexible, not implemented)
  const { header, bodyOffset } = decodeRequestHeader(frame);
  assert.deepEqual(header, { apiKey: 18, apiVersion: 3, correlationId: 5, clientId: 'c' });
  assert.throws(
    () => decodeRequest(header.apiKey, header.apiVersion, frame, bodyOffset),
    (err: unknown) => err instanceof UnsupportedVersionError && err instanceof ProtocolDecodeError && err.apiKey === 18 && err.apiVersion === 3,
  );
  assert.throws(() => decodeRequest(ApiKey.Produce, 2, frame, bodyOffset), UnsupportedVersionError);
  assert.throws(() => decodeRequest(ApiKey.Fetch, 12, frame, bodyOffset), UnsupportedVersionError);
  assert.throws(() => decodeRequest(24, 0, frame, bodyOffset), { name: 'UnsupportedVersionError', apiKey: 24, apiVersion: 0 });
  assert.equal(isSupported(ApiKey.Fetch, 11), true);
  assert.equal(isSupported(ApiKey.Fetch, 3), false);
  assert.equal(isSupported(99, 0), false);
});

test('retriable follows Kafka (the exception each code maps to is a RetriableException), as kafkajs 2.2.4 has it', () => {
  const { errorCodes: withRetriable } = require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; code: number; retriable: boolean }> };
  // Kafka made these retriable after kafkajs 2.2.4 was written.
  const newerInKafka = new Set<number>([
    ErrorCode.CONCURRENT_TRANSACTIONS,
    ErrorCode.THROTTLING_QUOTA_EXCEEDED,
    ErrorCode.UNKNOWN_TOPIC_ID,
    ErrorCode.INCONSISTENT_TOPIC_ID,
    ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
  ]);
  const differ = withRetriable.filter(({ code, retriable }) => isRetriable(code) !== retriable && !newerInKafka.has(code)).map(({ type }) => type);
  assert.deepEqual(differ, []);
  for (const code of newerInKafka) assert.equal(isRetriable(code), true, errorName(code));
  assert.equal(isRetriable(ErrorCode.MESSAGE_TOO_LARGE), false);
  assert.equal(isRetriable(ErrorCode.NOT_COORDINATOR), true);
  assert.equal(isRetriable(9999), false);
  for (const [name, { code }] of Object.entries(KAFKA_ERRORS)) assert.equal(ErrorCode[name as keyof typeof ErrorCode], code);
});

test('one error class: decode errors are KafkaErrors with a code, and the thrown-error mapping', () => {
  const unsupported = new UnsupportedVersionError(0, 99);
  assert.ok(unsupported instanceof ProtocolDecodeError && unsupported instanceof KafkaError);
  assert.equal(unsupported.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.equal(new ProtocolDecodeError('short').errorCode, ErrorCode.INVALID_REQUEST);
  const tooLarge = new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, 'big');
  assert.equal(tooLarge.retriable, false);
  assert.equal(errorCodeOf(tooLarge, undefined, {}), 10);
  assert.equal(errorMessageOf(tooLarge), 'big');
  const logged: unknown[] = [];
  const logger = { error: (obj: unknown) => logged.push(obj) } as unknown as Parameters<typeof errorCodeOf>[1];
  assert.equal(errorCodeOf(new TypeError('bug'), logger, { topic: 't' }), ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.equal(logged.length, 1, 'an error without a Kafka code is logged as a bug');
  assert.equal(errorMessageOf('not an error'), null);
});
