import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { createProducer, recordFingerprint } from '../src/kafka.ts';

function kafkaWithLog(): { kafka: Kafka; messages: string[] } {
  const messages: string[] = [];
  // No broker is contacted: a producer is only made, never connected.
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.WARN, logCreator: () => (entry) => void messages.push(entry.log.message) });
  return { kafka, messages };
}

test('createProducer names the murmur2 partitioner, so kafkajs does not warn about its default', () => {
  const plain = kafkaWithLog();
  plain.kafka.producer();
  assert.ok(plain.messages.some((m) => /default partitioner/i.test(m)), 'kafkajs warns when none is named');
  const ours = kafkaWithLog();
  createProducer(ours.kafka, { retry: { retries: 5 } });
  assert.ok(!ours.messages.some((m) => /partitioner/i.test(m)), ours.messages.join('\n'));
});

test('recordFingerprint tells records apart by timestamp, size and key', () => {
  const base = { timestamp: '1767225600000', key: Buffer.from('order-1'), value: Buffer.from('{"n":1}') };
  assert.equal(recordFingerprint(base), recordFingerprint({ ...base, value: Buffer.from('{"n":2}') }), 'same size and key: the same record as far as an offset check goes');
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, timestamp: '1767225600001' }));
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, key: Buffer.from('order-2') }));
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, value: Buffer.from('{"n":10}') }));
  assert.notEqual(recordFingerprint({ ...base, key: null }), recordFingerprint(base));
  assert.notEqual(recordFingerprint({ ...base, value: null }), recordFingerprint({ ...base, value: Buffer.alloc(0) }));
});
