// Bad input gets a correct error response or a closed connection, never a crash or a stuck broker:
// after each case a fresh client is still served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, decodeResponse, decodeResponseHeader, encodeRequest, ErrorCode } from '../../src/protocol/index.ts';
import { createBroker, randomName } from './fixture.ts';
import { buildBatch, RawClient } from './raw-client.ts';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Request header v1 with the given api key/version, then `body`. */
function requestFrame(apiKey: number, apiVersion: number, body: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(7, 4);
  header.writeInt16BE(-1, 8); // null client id
  return frame(Buffer.concat([header, body]));
}

test('bad frames close the connection and the broker keeps serving', async (t) => {
  const { broker, defer, kafka } = await createBroker(t, { maxRequestBytes: 64 * 1024 });
  const stillServes = async () => {
    const client = await RawClient.connect(broker.port);
    const versions = await client.request(ApiKey.ApiVersions, 2, {});
    client.close();
    assert.equal(versions.errorCode, ErrorCode.NONE);
  };

  const cases: Array<[string, Buffer]> = [
    ['oversize frame (socket.request.max.bytes)', Buffer.from([0x00, 0x10, 0x00, 0x01])],
    ['negative frame size', Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['frame shorter than a request header', frame(Buffer.from([0x00, 0x03]))],
    ['unknown api key', requestFrame(9999, 0, Buffer.alloc(0))],
    ['api key that exists in Kafka but is not implemented (SaslHandshake)', requestFrame(17, 1, Buffer.alloc(0))],
    ['unsupported version of Metadata', requestFrame(ApiKey.Metadata, 42, Buffer.alloc(0))],
    ['Metadata body truncated mid-array', requestFrame(ApiKey.Metadata, 1, Buffer.from([0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x61]))],
    [
      'Produce with a negative array length',
      requestFrame(ApiKey.Produce, 7, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x13, 0x88, 0x80, 0x00, 0x00, 0x00])),
    ],
  ];
  for (const [name, bytes] of cases) {
    const client = await RawClient.connect(broker.port);
    client.write(bytes);
    await client.closed;
    await stillServes().catch((err: unknown) => assert.fail(`after "${name}": ${String(err)}`));
  }

  // A frame arriving a byte at a time is still one request.
  const slow = await RawClient.connect(broker.port);
  defer(async () => slow.close());
  const request = encodeRequest(ApiKey.ApiVersions, 0, 99, 'slow', {});
  const answer = slow.nextFrame();
  for (const byte of request) slow.write(Buffer.from([byte]));
  const response = await answer;
  assert.equal(decodeResponseHeader(response).correlationId, 99);

  // kafkajs still works end to end.
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  assert.ok(Array.isArray(await admin.listTopics()));
});

test('ApiVersions of an unsupported version answers error 35 with a v0 body', async (t) => {
  const { broker, defer } = await createBroker(t);
  const client = await RawClient.connect(broker.port);
  defer(async () => client.close());
  const answer = client.nextFrame();
  client.write(requestFrame(ApiKey.ApiVersions, 9, Buffer.alloc(0)));
  const response = await answer;
  const header = decodeResponseHeader(response);
  assert.equal(header.correlationId, 7);
  const body = decodeResponse(ApiKey.ApiVersions, 0, response, header.bodyOffset);
  assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.deepEqual(body.apiKeys, [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }]);
});

test('truncated and corrupt record batches get CORRUPT_MESSAGE; the partition stays usable', async (t) => {
  const { broker, defer, kafka } = await createBroker(t);
  const topic = randomName('corrupt');
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const client = await RawClient.connect(broker.port);
  defer(async () => client.close());
  const produce = async (records: Buffer) => {
    const response = await client.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    return response.responses[0]?.partitionResponses[0]?.errorCode;
  };
  const good = await buildBatch(['one', 'two']);
  assert.equal(await produce(good.subarray(0, good.length - 5)), ErrorCode.CORRUPT_MESSAGE, 'truncated batch');
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0xff;
  assert.equal(await produce(flipped), ErrorCode.CORRUPT_MESSAGE, 'CRC mismatch');
  assert.equal(await produce(good), ErrorCode.NONE);
  assert.deepEqual(await admin.fetchTopicOffsets(topic), [{ partition: 0, offset: '2', high: '2', low: '0' }]);
});
