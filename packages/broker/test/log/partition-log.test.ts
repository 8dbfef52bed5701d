import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ErrorCode, KafkaError } from '../../src/kafka-errors.ts';
import { PartitionLog, type FlushPolicy } from '../../src/log/partition-log.ts';
import { DEFAULT_TOPIC_CONFIG, type TopicConfig } from '../../src/log/topic-config.ts';
import { Compression, closeAfter, decodeBatches, makeBatch, tempDir, valuesOf } from './batch-factory.ts';

async function openLog(t: TestContext, dir: string, config: Partial<TopicConfig> = {}, flush: FlushPolicy = { mode: 'always' }): Promise<PartitionLog> {
  const effective = { ...DEFAULT_TOPIC_CONFIG, ...config };
  const log = await PartitionLog.open({ dir, topic: 't', partition: 0, config: () => effective, flush, indexIntervalBytes: 256 });
  return closeAfter(t, log);
}

async function isKafkaError(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof KafkaError && err.errorCode === code);
}

/** Reads everything from `from` to the high watermark, batch run by batch run. */
async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<string[]> {
  const out: string[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const { records } = log.read(offset, 1000);
    const batches = await decodeBatches(records);
    for (const b of batches) for (const r of b.records) if (BigInt(r.offset) >= offset) out.push(r.value!.toString());
    const last = batches.at(-1)!.records.at(-1)!;
    offset = BigInt(last.offset) + 1n;
  }
  return out;
}

test('append assigns offsets, read returns whole batches from the one containing the offset', async (t) => {
  const log = await openLog(t, await tempDir(t));
  assert.equal(log.highWatermark, 0n);
  const a = await log.append(await makeBatch({ values: ['a0', 'a1', 'a2'] }));
  const b = await log.append(await makeBatch({ values: ['b0', 'b1'], compression: Compression.GZIP }));
  assert.deepEqual(a, { baseOffset: 0n, logStartOffset: 0n, duplicate: false, logAppendTime: -1n });
  assert.equal(b.baseOffset, 3n);
  assert.equal(log.highWatermark, 5n);

  const fromOne = log.read(1n, 1 << 20);
  assert.equal(fromOne.highWatermark, 5n);
  assert.deepEqual(await valuesOf(fromOne.records), ['a0', 'a1', 'a2', 'b0', 'b1']); // starts at the batch containing 1
  const decoded = await decodeBatches(log.read(3n, 1 << 20).records);
  assert.equal(decoded[0]?.firstOffset, '3');
  assert.deepEqual(
    decoded[0]?.records.map((r) => r.offset),
    ['3', '4'],
  );

  assert.equal(log.read(5n, 100).records.length, 0); // empty at the high watermark
  assert.throws(
    () => log.read(6n, 100),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE,
  );
  assert.throws(
    () => log.read(-1n, 100),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE,
  );
});

test('read caps at maxBytes but always returns at least one whole batch', async (t) => {
  const log = await openLog(t, await tempDir(t));
  const big = await makeBatch({ values: ['x'.repeat(5000)] });
  await log.append(big);
  await log.append(await makeBatch({ values: ['small'] }));
  assert.equal(log.read(0n, 10).records.length, big.length);
  assert.equal((await valuesOf(log.read(0n, big.length + 10).records)).length, 1);
  assert.equal((await valuesOf(log.read(0n, 1 << 20).records)).length, 2);
});

test('one append with several batches gets consecutive offsets; a corrupt CRC is refused and writes nothing', async (t) => {
  const log = await openLog(t, await tempDir(t));
  const two = Buffer.concat([await makeBatch({ values: ['1', '2'] }), await makeBatch({ values: ['3'] })]);
  assert.equal((await log.append(two)).baseOffset, 0n);
  assert.equal(log.highWatermark, 3n);
  const bad = await makeBatch({ values: ['bad'] });
  bad[bad.length - 2]! ^= 0x55;
  await isKafkaError(log.append(bad), ErrorCode.CORRUPT_MESSAGE);
  // A good batch followed by a corrupt one: neither is written.
  await isKafkaError(log.append(Buffer.concat([await makeBatch({ values: ['ok'] }), bad])), ErrorCode.CORRUPT_MESSAGE);
  assert.equal(log.highWatermark, 3n);
  assert.deepEqual(await readAll(log), ['1', '2', '3']);
});

test('max.message.bytes: each whole batch is compared, before its CRC; segment.bytes bounds the whole append', async (t) => {
  const batch = await makeBatch({ values: ['a'.repeat(100)] });
  const log = await openLog(t, await tempDir(t), { maxMessageBytes: batch.length, segmentBytes: 1024 });
  assert.equal((await log.append(batch)).baseOffset, 0n, 'a batch of exactly max.message.bytes is appended');
  const larger = await makeBatch({ values: ['a'.repeat(101)] });
  assert.equal(larger.length, batch.length + 1);
  await assert.rejects(log.append(larger), (err: unknown) => {
    assert.ok(err instanceof KafkaError);
    assert.equal(err.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.match(err.message, new RegExp(`append to t-0 is ${larger.length} bytes which exceeds the maximum configured value of ${batch.length}`));
    return true;
  });
  // As in Kafka's analyzeAndValidateRecords, the size is checked before the CRC.
  larger[larger.length - 1]! ^= 0x55;
  await isKafkaError(log.append(larger), ErrorCode.MESSAGE_TOO_LARGE);
  // A later batch too large fails the whole append: nothing of it is written.
  await isKafkaError(log.append(Buffer.concat([batch, larger])), ErrorCode.MESSAGE_TOO_LARGE);
  // Batches each within max.message.bytes whose sum exceeds segment.bytes: RECORD_LIST_TOO_LARGE, as
  // Kafka's RecordBatchTooLargeException.
  const many = Buffer.concat(Array.from({ length: Math.ceil(1025 / batch.length) }, () => batch));
  await isKafkaError(log.append(many), ErrorCode.RECORD_LIST_TOO_LARGE);
  assert.equal(log.highWatermark, 1n);
});

test('segments roll at segment.bytes and reads cross segments', async (t) => {
  const dir = await tempDir(t);
  const log = await openLog(t, dir, { segmentBytes: 1024 });
  const expected: string[] = [];
  for (let i = 0; i < 40; i++) {
    const values = [`v${i}-a-${'p'.repeat(60)}`, `v${i}-b`];
    expected.push(...values);
    await log.append(await makeBatch({ values }));
  }
  assert.ok(log.segmentCount > 3, `segments: ${log.segmentCount}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  assert.equal(files[0], '00000000000000000000.log');
  assert.equal(files.length, log.segmentCount);
  for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 1024);
  assert.deepEqual(await readAll(log), expected);
  // Every single offset resolves to the batch containing it.
  for (let o = 0n; o < log.highWatermark; o++) {
    const [first] = await decodeBatches(log.read(o, 1).records);
    assert.ok(first !== undefined && BigInt(first.firstOffset) <= o && BigInt(first.records.at(-1)!.offset) >= o, `offset ${o}`);
  }
});

test('retention by size deletes whole oldest segments, never the active one', async (t) => {
  const log = await openLog(t, await tempDir(t), { segmentBytes: 1024, retentionBytes: 2048 });
  for (let i = 0; i < 30; i++) await log.append(await makeBatch({ values: [`r${i}`.padEnd(200, '.')] }));
  const before = log.segmentCount;
  const sizeBefore = log.sizeBytes;
  await log.enforceRetention();
  assert.ok(log.segmentCount < before);
  // As Kafka: delete oldest segments only while what is left stays at or above retention.bytes.
  assert.ok(log.sizeBytes >= 2048 && log.sizeBytes < 2048 + 1024, `size ${log.sizeBytes} (was ${sizeBefore})`);
  assert.ok(log.logStartOffset > 0n);
  assert.throws(
    () => log.read(0n, 100),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE,
  );
  const remaining = await readAll(log);
  assert.equal(remaining.at(-1), 'r29'.padEnd(200, '.'));
  assert.equal(remaining.length, Number(log.highWatermark - log.logStartOffset));
});

test('retention by time uses each segment newest timestamp', async (t) => {
  const log = await openLog(t, await tempDir(t), { segmentBytes: 1024, retentionMs: 60_000 });
  const old = 1_000_000;
  for (let i = 0; i < 10; i++) await log.append(await makeBatch({ values: [`old${i}`.padEnd(300, '.')], baseTimestamp: old + i }));
  const oldSegments = log.segmentCount;
  const firstNew = log.highWatermark;
  for (let i = 0; i < 10; i++) await log.append(await makeBatch({ values: [`new${i}`.padEnd(300, '.')], baseTimestamp: old + 100_000 + i }));
  await log.enforceRetention(old + 100_000 + 30_000);
  // Two ~370-byte batches per 1 KiB segment: the old batches fill whole segments, all expired.
  assert.equal(oldSegments, 5); // old0-1 … old8-9; the first new batch rolls a sixth
  assert.equal(log.logStartOffset, firstNew);
  assert.deepEqual(
    await readAll(log),
    Array.from({ length: 10 }, (_, i) => `new${i}`.padEnd(300, '.')),
  );
  const countBefore = log.segmentCount;
  await log.enforceRetention(old + 100_000 + 30_000); // nothing more to delete
  assert.equal(log.segmentCount, countBefore);
  await log.enforceRetention(old + 10_000_000); // everything expired: only the active segment stays
  assert.equal(log.segmentCount, 1);
});

test('deleteRecordsBefore moves the log start offset, deletes whole segments below it and persists it', async (t) => {
  const dir = await tempDir(t);
  const log = await openLog(t, dir, { segmentBytes: 1024 });
  for (let i = 0; i < 30; i++) await log.append(await makeBatch({ values: [`d${i}`.padEnd(150, '.')] }));
  const segments = log.segmentCount;
  assert.equal(await log.deleteRecordsBefore(17n), 17n);
  assert.equal(log.logStartOffset, 17n);
  assert.ok(log.segmentCount < segments);
  assert.equal(await log.deleteRecordsBefore(5n), 17n); // never moves back
  await isKafkaError(log.deleteRecordsBefore(31n), ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.throws(
    () => log.read(16n, 100),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE,
  );
  assert.equal((await readAll(log))[0], 'd17'.padEnd(150, '.'));
  await log.close();
  const reopened = await openLog(t, dir, { segmentBytes: 1024 });
  assert.equal(reopened.logStartOffset, 17n);
  assert.equal(reopened.highWatermark, 30n);
  assert.equal(await reopened.deleteRecordsBefore(30n), 30n);
  assert.equal(reopened.read(30n, 100).records.length, 0);
  assert.equal((await reopened.append(await makeBatch({ values: ['after'] }))).baseOffset, 30n);
});

test('offsetForTimestamp finds the first record at or after a timestamp', async (t) => {
  const log = await openLog(t, await tempDir(t), { segmentBytes: 1024 });
  for (let i = 0; i < 30; i++) {
    await log.append(await makeBatch({ values: [`a${i}`.padEnd(50, '.'), `b${i}`], baseTimestamp: 10_000 + i * 100, timestampDeltas: [0, 50] }));
  }
  assert.deepEqual(log.offsetForTimestamp(0n), { offset: 0n, timestamp: 10_000n });
  assert.deepEqual(log.offsetForTimestamp(10_000n + 1700n), { offset: 34n, timestamp: 11_700n });
  assert.deepEqual(log.offsetForTimestamp(10_000n + 1710n), { offset: 35n, timestamp: 11_750n });
  assert.deepEqual(log.offsetForTimestamp(10_000n + 2950n), { offset: 59n, timestamp: 12_950n });
  assert.equal(log.offsetForTimestamp(20_000n), null);
  await log.deleteRecordsBefore(40n);
  assert.equal(log.offsetForTimestamp(0n)?.offset, 40n);
});

test('onAppend wakes listeners and unsubscribes', async (t) => {
  const log = await openLog(t, await tempDir(t));
  let calls = 0;
  const off = log.onAppend(() => calls++);
  await log.append(await makeBatch({ values: ['1'] }));
  off();
  await log.append(await makeBatch({ values: ['2'] }));
  assert.equal(calls, 1);
});

test('concurrent appends are serialised in order, with both flush policies', async (t) => {
  for (const flush of [{ mode: 'always' }, { mode: 'interval', intervalMs: 50 }] as const) {
    const dir = await tempDir(t);
    const log = await openLog(t, dir, { segmentBytes: 4096 }, flush);
    const batches = await Promise.all(Array.from({ length: 100 }, (_, i) => makeBatch({ values: [`c${i}`] })));
    const results = await Promise.all(batches.map((b) => log.append(b)));
    assert.deepEqual(
      results.map((r) => r.baseOffset),
      batches.map((_, i) => BigInt(i)),
    );
    assert.deepEqual(
      await readAll(log),
      batches.map((_, i) => `c${i}`),
    );
    await log.close();
    const reopened = await openLog(t, dir, { segmentBytes: 4096 }, flush);
    assert.equal(reopened.highWatermark, 100n);
  }
});
