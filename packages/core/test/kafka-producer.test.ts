import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka, createProducer, FinishedOffsets, kafkaJsConfig, recordFingerprint } from '../src/kafka.ts';
import { createLogger } from '../src/logger.ts';

function kafkaWithLog(): { kafka: Kafka; messages: string[] } {
  const messages: string[] = [];
  // No broker is contacted: a producer is only made, never connected.
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.WARN, logCreator: () => (entry) => void messages.push(entry.log.message) });
  return { kafka, messages };
}

test('createProducer names the murmur2 partitioner, so kafkajs does not warn about its default', () => {
  const plain = kafkaWithLog();
  plain.kafka.producer();
  assert.ok(
    plain.messages.some((m) => /default partitioner/i.test(m)),
    'kafkajs warns when none is named',
  );
  const ours = kafkaWithLog();
  createProducer(ours.kafka, { retry: { retries: 5 } });
  assert.ok(!ours.messages.some((m) => /partitioner/i.test(m)), ours.messages.join('\n'));
});

test('recordFingerprint tells records apart by timestamp, size and key', () => {
  const base = { timestamp: '1767225600000', key: Buffer.from('order-1'), value: Buffer.from('{"n":1}') };
  assert.equal(
    recordFingerprint(base),
    recordFingerprint({ ...base, value: Buffer.from('{"n":2}') }),
    'same size and key: the same record as far as an offset check goes',
  );
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, timestamp: '1767225600001' }));
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, key: Buffer.from('order-2') }));
  assert.notEqual(recordFingerprint(base), recordFingerprint({ ...base, value: Buffer.from('{"n":10}') }));
  assert.notEqual(recordFingerprint({ ...base, key: null }), recordFingerprint(base));
  assert.notEqual(recordFingerprint({ ...base, value: null }), recordFingerprint({ ...base, value: Buffer.alloc(0) }));
});

test("kafkajs's warning about bounded idempotent retries is logged at debug; other warnings stay warnings", () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({
    name: 'kafka-test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
  });
  const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'kafka-test' }, { logger });
  createProducer(kafka, { retry: { retries: 5 } });
  const bounded = lines.filter((l) => l.msg.startsWith('Limiting retries for the idempotent producer'));
  assert.ok(bounded.length >= 1);
  assert.ok(
    bounded.every((l) => l.level === 20),
    `pino debug is 20: ${JSON.stringify(bounded)}`,
  );
  // Any other kafkajs warning still comes out as a warning.
  const log = kafkaJsConfig({ brokers: ['127.0.0.1:1'], clientId: 'kafka-test' }, { logger }).logCreator?.(logLevel.WARN);
  log?.({ namespace: 'Connection', level: logLevel.WARN, label: 'WARN', log: { message: 'Connection timeout', timestamp: '' } });
  assert.equal(lines.find((l) => l.msg === 'Connection timeout')?.level, 40, 'pino warn is 40');
});

test('FinishedOffsets knows a record by offset and fingerprint until a commit covers it', () => {
  const done = new FinishedOffsets();
  done.add(5n, 'a');
  done.add(6n, 'b');
  assert.equal(done.has(5n, 'a'), true);
  assert.equal(done.has(5n, 'other'), false, 'another record at the offset is new work');
  assert.equal(done.has(7n, 'a'), false);
  done.forgetBelow(6n);
  assert.equal(done.size, 1);
  assert.equal(done.has(5n, 'a'), false, 'covered by the commit: forgotten');
  assert.equal(done.has(6n, 'b'), true);
  done.clear();
  assert.equal(done.size, 0);
});
