// Every advertised response version, encoded by our codec and decoded by kafkajs 2.2.4's own
// decoder (kafkajs ships one for every version we advertise), asserting what kafkajs reads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiKey,
  ErrorCode,
  SUPPORTED_VERSIONS,
  encodeResponse,
  encodeUnsupportedApiVersionsResponse,
  decodeResponse,
  decodeResponseHeader,
  type ResponseBodies,
} from '../../src/protocol/index.ts';
import { recordBatch, responseDecoder, type Decoded } from './kafkajs.ts';
import { RESPONSES, expectedByKafkajs } from './kafkajs-response-cases.ts';

/** Our frame → kafkajs decode, exactly as kafkajs's connection does it. */
async function decodeWithKafkajs(api: string, apiKey: number, version: number, body: object, factoryArgs?: unknown): Promise<Decoded> {
  const frame = encodeResponse(apiKey, version, 4242, body);
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  assert.equal(frame.readInt32BE(4), 4242, 'correlation id');
  return responseDecoder(api, version, factoryArgs).decode(frame.subarray(8));
}

describe('kafkajs decodes every advertised response version', () => {
  for (const testCase of RESPONSES) {
    const range = SUPPORTED_VERSIONS.get(testCase.apiKey);
    assert.ok(range);
    for (let version = range.min; version <= range.max; version++) {
      test(`${testCase.api} v${version}`, async () => {
        const decoded = await decodeWithKafkajs(testCase.api, testCase.apiKey, version, testCase.body, testCase.factoryArgs);
        assert.deepEqual(testCase.normalise?.(decoded) ?? decoded, expectedByKafkajs(testCase.api, version));
      });
    }
  }
});

test('every advertised API has a kafkajs response case', () => {
  const covered = new Set([...RESPONSES.map((c) => c.apiKey), ApiKey.Fetch]);
  assert.deepEqual(
    [...SUPPORTED_VERSIONS.keys()].filter((key) => !covered.has(key)),
    [],
  );
});

interface KafkajsFetch {
  throttleTime: number;
  clientSideThrottleTime?: number;
  responses: Array<{
    topicName: string;
    partitions: Array<{
      partition: number;
      errorCode: number;
      highWatermark: string;
      lastStableOffset: string;
      lastStartOffset?: string;
      preferredReadReplica?: number;
      abortedTransactions: unknown[];
      messages: Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer; headers: Record<string, Buffer> }>;
    }>;
  }>;
}

describe('kafkajs decodes every advertised Fetch version with real record batches', () => {
  const range = SUPPORTED_VERSIONS.get(ApiKey.Fetch) ?? { min: 0, max: -1 };
  for (let version = range.min; version <= range.max; version++) {
    test(`fetch v${version}`, async () => {
      const first = await recordBatch(10, [
        { offsetDelta: 0, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { trace: 'abc' } },
        { offsetDelta: 1, timestampDelta: 1, key: null, value: Buffer.from('v2') },
      ]);
      const second = await recordBatch(12, [{ offsetDelta: 0, key: Buffer.from('k3'), value: Buffer.from('ü3') }]);
      const body: ResponseBodies[typeof ApiKey.Fetch] = {
        throttleTimeMs: 3,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 'events',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 13n,
                lastStableOffset: 13n,
                logStartOffset: 2n,
                abortedTransactions: null,
                preferredReadReplica: -1,
                records: Buffer.concat([first, second]),
              },
              {
                partitionIndex: 1,
                errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
                highWatermark: 0n,
                lastStableOffset: 0n,
                logStartOffset: 0n,
                abortedTransactions: [{ producerId: 9n, firstOffset: 4n }],
                preferredReadReplica: -1,
                records: Buffer.alloc(0),
              },
            ],
          },
        ],
      };
      const decoded = (await decodeWithKafkajs('fetch', ApiKey.Fetch, version, body)) as unknown as KafkajsFetch & Decoded;
      if (version >= 8) {
        assert.equal(decoded.throttleTime, 0);
        assert.equal(decoded.clientSideThrottleTime, 3);
      } else {
        assert.equal(decoded.throttleTime, 3);
      }
      if (version >= 7) {
        assert.equal(decoded.errorCode, 0);
        assert.equal(decoded.sessionId, 0);
      }
      const topic = decoded.responses[0];
      assert.equal(decoded.responses.length, 1);
      assert.equal(topic?.topicName, 'events');
      const [p0, p1] = topic?.partitions ?? [];
      assert.ok(p0 && p1);
      assert.equal(p0.partition, 0);
      assert.equal(p0.highWatermark, '13');
      assert.equal(p0.lastStableOffset, '13');
      assert.equal(p0.lastStartOffset, version >= 5 ? '2' : undefined);
      assert.equal(p0.preferredReadReplica, version >= 11 ? -1 : undefined);
      assert.deepEqual(p0.abortedTransactions, []);
      assert.deepEqual(
        p0.messages.map((m) => ({ offset: m.offset, timestamp: m.timestamp, key: m.key?.toString() ?? null, value: m.value.toString() })),
        [
          { offset: '10', timestamp: '1700000000000', key: 'k1', value: 'v1' },
          { offset: '11', timestamp: '1700000000001', key: null, value: 'v2' },
          { offset: '12', timestamp: '1700000000000', key: 'k3', value: 'ü3' },
        ],
      );
      assert.equal(p0.messages[0]?.headers.trace?.toString(), 'abc');
      assert.equal(p1.partition, 1);
      assert.equal(p1.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
      assert.deepEqual(p1.abortedTransactions, [{ producerId: '9', firstOffset: '4' }]);
      assert.deepEqual(p1.messages, []);
    });
  }
});

test('an unsupported ApiVersions version is answered with error 35 in a v0 body', async () => {
  const frame = encodeUnsupportedApiVersionsResponse(77);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const { correlationId, bodyOffset } = decodeResponseHeader(frame.subarray(4));
  assert.equal(correlationId, 77);
  assert.deepEqual(decodeResponse(ApiKey.ApiVersions, 0, frame.subarray(4), bodyOffset), {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }],
  });
  // kafkajs reads the error code first whatever version it asked for, and steps down on 35.
  for (const version of [0, 1, 2]) {
    await assert.rejects(responseDecoder('apiVersions', version).decode(frame.subarray(8)), { type: 'UNSUPPORTED_VERSION' });
  }
});
