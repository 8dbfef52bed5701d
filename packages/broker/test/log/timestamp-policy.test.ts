// The timestamp topic configs on append: how the bounds resolve (Kafka's fallback to the deprecated
// difference.max.ms), per-record CreateTime checks, the compressed-batch fallback, and the
// LogAppendTime stamp (bit, max timestamp and a CRC that still verifies, read back by kafkajs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, KafkaError } from '../../src/kafka-errors.ts';
import { Attributes, checkBatch, validateBatches } from '../../src/log/record-batch.ts';
import { applyTimestampPolicy } from '../../src/log/timestamp-policy.ts';
import { DEFAULT_TOPIC_CONFIG, resolveTopicConfig, validateTopicConfigs } from '../../src/log/topic-config.ts';
import { Compression, decodeBatches, makeBatch } from './batch-factory.ts';

const LONG_MAX = 2n ** 63n - 1n;
const NOW = 1_700_000_000_000;

function configOf(explicit: Record<string, string>) {
  return resolveTopicConfig(validateTopicConfigs(explicit), DEFAULT_TOPIC_CONFIG);
}

function invalidTimestamp(message: RegExp) {
  return (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.INVALID_TIMESTAMP && message.test(err.message);
}

test('bounds: difference.max.ms stands in for before/after.max.ms left at their default, as in Kafka', () => {
  const bounds = (explicit: Record<string, string>) => {
    const c = configOf(explicit);
    return [c.messageTimestampBeforeMaxMs, c.messageTimestampAfterMaxMs];
  };
  assert.deepEqual(bounds({}), [LONG_MAX, LONG_MAX]);
  assert.deepEqual(bounds({ 'message.timestamp.difference.max.ms': '1000' }), [1000n, 1000n]);
  assert.deepEqual(bounds({ 'message.timestamp.difference.max.ms': '1000', 'message.timestamp.after.max.ms': '50' }), [1000n, 50n]);
  assert.deepEqual(bounds({ 'message.timestamp.difference.max.ms': '1000', 'message.timestamp.before.max.ms': String(LONG_MAX) }), [1000n, 1000n]);
  assert.equal(configOf({ 'message.timestamp.type': ' LogAppendTime ' }).messageTimestampType, 'LogAppendTime');
});

test('CreateTime: every record of an uncompressed batch is checked; a compressed one by its first and max timestamps', async () => {
  const config = configOf({ 'message.timestamp.before.max.ms': '1000', 'message.timestamp.after.max.ms': '100' });
  const now = BigInt(NOW);
  // The second record is 5 s older than the first, which is current.
  const late = await makeBatch({ values: ['a', 'b'], baseTimestamp: NOW, timestampDeltas: [0, -5000] });
  assert.throws(
    () => applyTimestampPolicy(late, validateBatches(late), config, now),
    invalidTimestamp(/Timestamp 1699999995000 of message with offset 1 is out of range.*\[1699999999000, 1700000000100\]/),
  );
  const ahead = await makeBatch({ values: ['a'], baseTimestamp: NOW + 101 });
  assert.throws(() => applyTimestampPolicy(ahead, validateBatches(ahead), config, now), invalidTimestamp(/out of range/));
  const fine = await makeBatch({ values: ['a', 'b'], baseTimestamp: NOW - 1000, timestampDeltas: [0, 1100] });
  assert.equal(applyTimestampPolicy(fine, validateBatches(fine), config, now), -1n);

  const compressed = await makeBatch({ values: ['a', 'b'], compression: Compression.GZIP, baseTimestamp: NOW, timestampDeltas: [0, 200] });
  assert.throws(
    () => applyTimestampPolicy(compressed, validateBatches(compressed), config, now),
    invalidTimestamp(/Timestamp 1700000000200 of message with offset 1/),
  );
});

test('LogAppendTime: batches are stamped with the broker time, CRC recomputed; a producer may not claim the type', async () => {
  const config = configOf({ 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.difference.max.ms': '0' });
  const now = BigInt(NOW + 60_000);
  const first = await makeBatch({ values: ['a', 'b'], baseTimestamp: 1000, timestampDeltas: [0, 5] });
  const second = await makeBatch({ values: ['c'], compression: Compression.GZIP, baseTimestamp: 2000 });
  const records = Buffer.concat([first, second]);
  const headers = validateBatches(records);
  // The bounds only apply to CreateTime: these old timestamps are replaced, not refused.
  assert.equal(applyTimestampPolicy(records, headers, config, now), now);
  for (const h of headers) {
    assert.equal(checkBatch(records, h.position), undefined);
    assert.equal(h.attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND, Attributes.TIMESTAMP_TYPE_LOG_APPEND);
    assert.equal(h.maxTimestamp, now);
  }
  assert.deepEqual(
    validateBatches(records).map((h) => [h.attributes, h.maxTimestamp]),
    headers.map((h) => [h.attributes, h.maxTimestamp]),
  );
  const decoded = await decodeBatches(records);
  assert.deepEqual(
    decoded.flatMap((b) => b.records.map((r) => [r.value?.toString(), r.timestamp])),
    [
      ['a', String(now)],
      ['b', String(now)],
      ['c', String(now)],
    ],
  );
  // `records` now carries the LogAppendTime bit, as if a producer had set it.
  assert.throws(() => applyTimestampPolicy(records, validateBatches(records), config, now), invalidTimestamp(/should not set timestamp type to LogAppendTime/));
});
