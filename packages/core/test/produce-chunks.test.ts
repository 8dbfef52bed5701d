// Splitting produce requests under EY_KAFKA_MAX_BATCH_BYTES, and the MESSAGE_TOO_LARGE backstop. The
// project's broker does not enforce a size limit yet, so the backstop is driven here by a sendBatch that
// answers as Kafka does (KafkaJSProtocolError type MESSAGE_TOO_LARGE) for requests over a size; the
// splitting itself is also checked against a real broker in services/router/test/consume/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message, ProducerBatch, TopicMessages } from 'kafkajs';
import { estimateMessageBytes, estimateRecordBytes, isMessageTooLarge, sendInChunks, splitByBytes } from '../src/produce-chunks.ts';

const record = (n: number, bytes: number): Message => ({ key: `k${n}`, value: Buffer.alloc(bytes, n % 256), headers: { 'ey-event-id': String(n) } });
const requestBytes = (request: TopicMessages[]): number =>
  request.reduce((sum, t) => sum + 100 + t.topic.length + t.messages.reduce((s, m) => s + estimateRecordBytes(m), 0), 0);

test('the estimate covers key, value and headers', () => {
  const bytes = estimateRecordBytes({ key: 'abc', value: Buffer.alloc(1000), headers: { 'ey-event-id': '12345' } });
  assert.ok(bytes >= 1000 + 3 + 'ey-event-id'.length + 5, String(bytes));
  assert.ok(bytes < 1100, String(bytes));
});

test('splitByBytes keeps each request under the limit and every topic in order', () => {
  const input: TopicMessages[] = [
    { topic: 'a', messages: Array.from({ length: 30 }, (_, i) => record(i, 3000)) },
    { topic: 'b', messages: Array.from({ length: 10 }, (_, i) => record(100 + i, 500)) },
  ];
  const requests = splitByBytes(input, 16 * 1024);
  assert.ok(requests.length >= 6, `${requests.length} requests`);
  for (const request of requests) assert.ok(requestBytes(request) <= 16 * 1024, `request of ${requestBytes(request)} bytes`);
  const flat = (topic: string) => requests.flatMap((r) => r.filter((t) => t.topic === topic).flatMap((t) => t.messages.map((m) => m.key)));
  assert.deepEqual(
    flat('a'),
    input[0]?.messages.map((m) => m.key),
  );
  assert.deepEqual(
    flat('b'),
    input[1]?.messages.map((m) => m.key),
  );
  assert.equal(splitByBytes(input, 10_000_000).length, 1, 'under the limit: one request, as before');
  assert.equal(splitByBytes([{ topic: 'a', messages: [record(1, 50_000)] }], 16 * 1024).length, 1, 'an oversized record stands alone');
});

/** Answers like a Kafka broker whose limit is `limit` bytes: MESSAGE_TOO_LARGE for any request over it. */
function limitedBroker(limit: number): { sendBatch: (batch: ProducerBatch) => Promise<never[]>; sent: TopicMessages[][] } {
  const sent: TopicMessages[][] = [];
  return {
    sent,
    sendBatch: (batch: ProducerBatch) => {
      const request = batch.topicMessages ?? [];
      if (requestBytes(request) > limit) {
        const err = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), {
          type: 'MESSAGE_TOO_LARGE',
          retriable: false,
        });
        return Promise.reject(Object.assign(new Error('retries exceeded'), { cause: err }));
      }
      sent.push(request);
      return Promise.resolve([]);
    },
  };
}

test('a record the broker refuses as too large is halved down to and handed to onTooLarge, the rest is sent', async () => {
  const broker = limitedBroker(8 * 1024);
  const refused: string[] = [];
  const records = [record(1, 1000), record(2, 1000), record(3, 12_000), record(4, 1000)];
  await sendInChunks(broker, [{ topic: 't', messages: records }], {
    maxBatchBytes: 64 * 1024,
    onTooLarge: (topic, message) => {
      refused.push(String(message.key));
      return { topic: 'dead', message: { key: message.key ?? null, value: null, headers: { reason: 'too large' } } };
    },
  });
  assert.deepEqual(refused, ['k3']);
  const delivered = broker.sent.flatMap((r) => r.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.key)}`)));
  assert.deepEqual(delivered, ['t:k1', 't:k2', 'dead:k3', 't:k4'], 'in order, the refused record replaced by its dead letter');
});

test('without onTooLarge the error is thrown; other errors are never taken for a size problem', async () => {
  await assert.rejects(sendInChunks(limitedBroker(1024), [{ topic: 't', messages: [record(1, 4000)] }], { maxBatchBytes: 64 * 1024 }), (err: unknown) =>
    isMessageTooLarge(err),
  );
  assert.equal(isMessageTooLarge(new Error('Connection error')), false);
  assert.equal(isMessageTooLarge({ errors: [{ type: 'RECORD_LIST_TOO_LARGE' }] }), true);
});

test('estimateMessageBytes: every string and bytes field with 11 bytes of framing each, keys included, nested objects and arrays walked', () => {
  // The walk as first written (entries flattened), kept as the reference the faster walk must equal.
  const reference = (value: unknown): number => {
    if (typeof value === 'string') return 11 + Buffer.byteLength(value);
    if (value instanceof Uint8Array) return 11 + value.length;
    if (value === null || value === undefined) return 0;
    if (typeof value !== 'object') return 11;
    let bytes = 11;
    for (const child of Array.isArray(value) ? value : Object.entries(value as Record<string, unknown>).flat()) bytes += reference(child);
    return bytes;
  };
  const report = {
    event: { app_id: 'shop', topic_id: 'order', data: Buffer.alloc(256), event_comm: { event_tag: { tag_list: ['a', 'bé'] } }, trigger_type: 1 },
    trigger: null,
    option: { orderingKey: 'k', idempotent: { key: 'x', idempotent_time: { seconds: 5, nanos: 0 } } },
  };
  assert.equal(estimateMessageBytes(report), reference(report));
  assert.equal(estimateMessageBytes({ a: 'ü' }), 11 + 12 + 13);
  assert.equal(estimateMessageBytes([]), 11);
});
