import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, KafkaError } from '../../src/kafka-errors.ts';
import {
  Attributes,
  compressionOf,
  findRecordByTimestamp,
  incrementSequence,
  iterateBatches,
  lastSequenceOf,
  setBaseOffset,
  validateBatches,
} from '../../src/log/record-batch.ts';
import { Compression, decodeBatches, makeBatch } from './batch-factory.ts';

function assertKafkaError(fn: () => unknown, code: number): void {
  assert.throws(fn, (err: unknown) => err instanceof KafkaError && err.errorCode === code);
}

test('parses the header of an uncompressed kafkajs batch', async () => {
  const buf = await makeBatch({
    values: ['a', 'b', 'c'],
    baseTimestamp: 1_700_000_000_000,
    timestampDeltas: [0, 5, 3],
    producerId: 42n,
    producerEpoch: 3,
    baseSequence: 7,
  });
  const [h] = validateBatches(buf);
  assert.ok(h);
  assert.equal(h.size, buf.length);
  assert.equal(h.magic, 2);
  assert.equal(h.baseOffset, 0n);
  assert.equal(h.lastOffsetDelta, 2);
  assert.equal(h.recordsCount, 3);
  assert.equal(h.baseTimestamp, 1_700_000_000_000n);
  assert.equal(h.maxTimestamp, 1_700_000_000_005n);
  assert.equal(h.producerId, 42n);
  assert.equal(h.producerEpoch, 3);
  assert.equal(h.baseSequence, 7);
  assert.equal(lastSequenceOf(h), 9);
  assert.equal(compressionOf(h), 0);
  assert.equal(h.attributes & Attributes.TRANSACTIONAL, 0);
});

test('parses a gzip batch without decompressing, and the rewritten baseOffset keeps it valid for kafkajs', async () => {
  const values = Array.from({ length: 20 }, (_, i) => `value-${i}`.repeat(10));
  const buf = await makeBatch({ values, compression: Compression.GZIP });
  const [h] = validateBatches(buf);
  assert.ok(h);
  assert.equal(compressionOf(h), Compression.GZIP);
  assert.equal(h.recordsCount, 20);
  setBaseOffset(buf, 0, 1234n);
  const [again] = validateBatches(buf); // CRC still matches: baseOffset is outside it
  assert.equal(again?.baseOffset, 1234n);
  const [decoded] = await decodeBatches(buf);
  assert.equal(decoded?.firstOffset, '1234');
  assert.deepEqual(
    decoded?.records.map((r) => r.value?.toString()),
    values,
  );
  assert.equal(decoded?.records[19]?.offset, '1253');
});

test('iterates concatenated batches and stops at an incomplete one', async () => {
  const a = await makeBatch({ values: ['1'] });
  const b = await makeBatch({ values: ['2', '3'] });
  const all = Buffer.concat([a, b]);
  assert.deepEqual(
    validateBatches(all).map((h) => [h.position, h.recordsCount]),
    [
      [0, 1],
      [a.length, 2],
    ],
  );
  assert.equal([...iterateBatches(all.subarray(0, all.length - 1))].length, 1);
});

test('refuses corrupt input with CORRUPT_MESSAGE', async () => {
  const good = await makeBatch({ values: ['hello', 'world'] });
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1]! ^= 0xff;
  assertKafkaError(() => validateBatches(flipped), ErrorCode.CORRUPT_MESSAGE);
  assertKafkaError(() => validateBatches(good.subarray(0, good.length - 3)), ErrorCode.CORRUPT_MESSAGE);
  assertKafkaError(() => validateBatches(Buffer.concat([good, Buffer.alloc(10)])), ErrorCode.CORRUPT_MESSAGE);
  assertKafkaError(() => validateBatches(Buffer.alloc(0)), ErrorCode.CORRUPT_MESSAGE);
  const badMagic = Buffer.from(good);
  badMagic[16] = 1;
  assertKafkaError(() => validateBatches(badMagic), ErrorCode.CORRUPT_MESSAGE);
  const badLength = Buffer.from(good);
  badLength.writeInt32BE(-5, 8);
  assertKafkaError(() => validateBatches(badLength), ErrorCode.CORRUPT_MESSAGE);
});

test('finds the first record at or after a timestamp in an uncompressed batch', async () => {
  const buf = await makeBatch({ values: ['a', 'b', 'c'], baseTimestamp: 1000, timestampDeltas: [0, 10, 20] });
  const [h] = validateBatches(buf);
  assert.ok(h);
  assert.deepEqual(findRecordByTimestamp(buf, h, 0, 1005n), { offset: 1n, timestamp: 1010n });
  assert.deepEqual(findRecordByTimestamp(buf, h, 0, 1000n), { offset: 0n, timestamp: 1000n });
  const gz = await makeBatch({ values: ['a', 'b'], baseTimestamp: 1000, timestampDeltas: [0, 10], compression: Compression.GZIP });
  const [g] = validateBatches(gz);
  assert.ok(g);
  assert.deepEqual(findRecordByTimestamp(gz, g, 0, 1005n), { offset: 0n, timestamp: 1010n });
});

test('sequences wrap at int32 max', () => {
  assert.equal(incrementSequence(5, 3), 8);
  assert.equal(incrementSequence(0x7fffffff, 1), 0);
  assert.equal(incrementSequence(0x7ffffffe, 3), 1);
});
