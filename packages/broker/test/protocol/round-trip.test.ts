// Round trips through our own codec for every version of every implemented API, requests and
// responses: encode → decode gives back the body; superset bodies encode like exact ones; missing
// fields get the schema default.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiKey,
  SCHEMAS,
  SUPPORTED_VERSIONS,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeResponseHeader,
  encodeRequest,
  encodeResponse,
  type MetadataRequest,
  type ProduceResponse,
} from '../../src/protocol/index.ts';
import { sampleBody } from './samples.ts';

function roundTripRequest(apiKey: number, version: number, body: object, clientId: string | null = 'round-trip') {
  const frame = encodeRequest(apiKey, version, 0x01020304, clientId, body);
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const request = frame.subarray(4);
  const { header, bodyOffset } = decodeRequestHeader(request);
  assert.deepEqual(header, { apiKey, apiVersion: version, correlationId: 0x01020304, clientId });
  return { frame, decoded: decodeRequest(apiKey, version, request, bodyOffset) };
}

function roundTripResponse(apiKey: number, version: number, body: object) {
  const frame = encodeResponse(apiKey, version, -7, body);
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const response = frame.subarray(4);
  const { correlationId, bodyOffset } = decodeResponseHeader(response);
  assert.equal(correlationId, -7);
  return { frame, decoded: decodeResponse(apiKey, version, response, bodyOffset) };
}

describe('round trip of every API version', () => {
  for (const [apiKey, { min, max }] of SUPPORTED_VERSIONS) {
    const schemas = SCHEMAS.get(apiKey);
    assert.ok(schemas, `schemas for api key ${apiKey}`);
    for (let version = min; version <= max; version++) {
      test(`${schemas.request.name} / ${schemas.response.name} v${version}`, () => {
        for (let seed = 1; seed <= 12; seed++) {
          const request = sampleBody(schemas.request, version, apiKey * 1000 + version * 100 + seed);
          assert.deepEqual(roundTripRequest(apiKey, version, request).decoded, request, `request seed ${seed}`);
          const response = sampleBody(schemas.response, version, apiKey * 1000 + version * 100 + seed + 50);
          assert.deepEqual(roundTripResponse(apiKey, version, response).decoded, response, `response seed ${seed}`);
        }
      });
    }
  }
});

test('a null client id round-trips in the request header', () => {
  const { decoded } = roundTripRequest(ApiKey.ApiVersions, 2, {}, null);
  assert.deepEqual(decoded, {});
});

test('fields of other versions are ignored on encode and absent on decode', () => {
  const superset = {
    throttleTimeMs: 11,
    responses: [
      {
        name: 'orders',
        partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 99n, logAppendTimeMs: -1n, logStartOffset: 40n }],
      },
    ],
  };
  const v3 = roundTripResponse(ApiKey.Produce, 3, superset);
  const v3Body = v3.decoded as ProduceResponse;
  assert.deepEqual(v3Body, {
    throttleTimeMs: 11,
    responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 99n, logAppendTimeMs: -1n }] }],
  });
  assert.equal(v3Body.responses[0]?.partitionResponses[0]?.logStartOffset, undefined);
  const v5 = roundTripResponse(ApiKey.Produce, 5, superset);
  assert.equal((v5.decoded as ProduceResponse).responses[0]?.partitionResponses[0]?.logStartOffset, 40n);
  // v5 carries exactly 8 more bytes (the int64 log start offset) than v3.
  assert.equal(v5.frame.length - v3.frame.length, 8);
});

test('fields missing from the body are written as the schema default', () => {
  const fetch = roundTripRequest(ApiKey.Fetch, 11, { maxWaitMs: 500, minBytes: 1, topics: [] }).decoded;
  assert.deepEqual(fetch, {
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 0x7fffffff,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [],
    forgottenTopicsData: [],
    rackId: '',
  });
  const metadata = roundTripResponse(ApiKey.Metadata, 6, { brokers: [], topics: [] }).decoded;
  assert.deepEqual(metadata, { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: [] });
  const produce = roundTripRequest(ApiKey.Produce, 3, { acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0 }] }] });
  assert.deepEqual(produce.decoded, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }],
  });
  assert.equal((roundTripRequest(ApiKey.Metadata, 4, { topics: null }).decoded as MetadataRequest).allowAutoTopicCreation, true);
});

test('records decode as a view on the frame, not a copy', () => {
  const records = Buffer.from('opaque record batch bytes');
  const frame = encodeRequest(ApiKey.Produce, 7, 1, 'c', {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  }).subarray(4);
  const { bodyOffset } = decodeRequestHeader(frame);
  const decoded = decodeRequest(ApiKey.Produce, 7, frame, bodyOffset);
  const view = decoded.topicData[0]?.partitionData[0]?.records;
  assert.ok(view);
  assert.deepEqual(view, records);
  assert.equal(view.buffer, frame.buffer, 'shares the frame memory');
});

test('nullable fields only accept null in their nullable versions', () => {
  assert.deepEqual(roundTripRequest(ApiKey.Metadata, 1, { topics: null }).decoded, { topics: null });
  assert.throws(() => encodeRequest(ApiKey.Metadata, 0, 1, null, { topics: null }), TypeError);
  assert.deepEqual(roundTripRequest(ApiKey.OffsetFetch, 2, { groupId: 'g', topics: null }).decoded, { groupId: 'g', topics: null });
  assert.throws(() => encodeRequest(ApiKey.OffsetFetch, 1, 1, null, { groupId: 'g', topics: null }), TypeError);
});

test('a string longer than an int16 length is refused on encode', () => {
  assert.throws(() => encodeResponse(ApiKey.FindCoordinator, 0, 1, { errorCode: 0, nodeId: 0, host: 'h'.repeat(40000), port: 1 }), RangeError);
});

test('large records encode in one buffer of the exact size', () => {
  const records = Buffer.alloc(4 * 1024 * 1024, 0xab);
  const frame = encodeResponse(ApiKey.Fetch, 11, 5, {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 'big',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 1n,
            lastStableOffset: 1n,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records,
          },
        ],
      },
    ],
  });
  // size + correlation id + throttle/error/session + array + "big" + array + partition fixed fields + length + records
  assert.equal(frame.length, 4 + 4 + 10 + 4 + 5 + 4 + (4 + 2 + 8 + 8 + 8 + 4 + 4) + 4 + records.length);
  const body = frame.subarray(4);
  const decoded = decodeResponse(ApiKey.Fetch, 11, body, 4);
  assert.equal(decoded.responses[0]?.partitions[0]?.records?.length, records.length);
});
