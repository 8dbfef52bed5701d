import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ErrorCode, KafkaError } from '../../src/kafka-errors.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { ProducerStateTable } from '../../src/log/producer-state.ts';
import type { BatchHeader } from '../../src/log/record-batch.ts';
import { DEFAULT_TOPIC_CONFIG } from '../../src/log/topic-config.ts';
import { closeAfter, makeBatch, tempDir } from './batch-factory.ts';

async function openLog(t: TestContext, dir: string): Promise<PartitionLog> {
  const config = { ...DEFAULT_TOPIC_CONFIG, segmentBytes: 1024 };
  return closeAfter(t, await PartitionLog.open({ dir, topic: 't', partition: 0, config: () => config, flush: { mode: 'always' } }));
}

function produce(log: PartitionLog, o: { pid?: bigint; epoch?: number; seq: number; n?: number }) {
  const values = Array.from({ length: o.n ?? 1 }, (_, i) => `s${o.seq + i}`);
  return makeBatch({ values, producerId: o.pid ?? 7n, producerEpoch: o.epoch ?? 0, baseSequence: o.seq }).then((b) => log.append(b));
}

async function rejectsWith(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof KafkaError && err.errorCode === code);
}

test('duplicates of recent batches return the original offset and write nothing', async (t) => {
  const log = await openLog(t, await tempDir(t));
  assert.equal((await produce(log, { seq: 0, n: 3 })).baseOffset, 0n);
  assert.equal((await produce(log, { seq: 3, n: 2 })).baseOffset, 3n);
  assert.deepEqual(await produce(log, { seq: 0, n: 3 }), { baseOffset: 0n, logStartOffset: 0n, duplicate: true, logAppendTime: -1n });
  assert.deepEqual(await produce(log, { seq: 3, n: 2 }), { baseOffset: 3n, logStartOffset: 0n, duplicate: true, logAppendTime: -1n });
  assert.equal(log.highWatermark, 5n);
  // Non-idempotent batches are never deduplicated.
  const plain = await makeBatch({ values: ['p'] });
  assert.equal((await log.append(Buffer.from(plain))).baseOffset, 5n);
  assert.equal((await log.append(Buffer.from(plain))).baseOffset, 6n);
});

test('a gap or an unknown producer starting above 0 is OUT_OF_ORDER_SEQUENCE_NUMBER', async (t) => {
  const log = await openLog(t, await tempDir(t));
  await rejectsWith(produce(log, { seq: 5 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  await produce(log, { seq: 0, n: 2 });
  await rejectsWith(produce(log, { seq: 3 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  await rejectsWith(produce(log, { seq: 1 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER); // overlaps, not a known batch
  assert.equal((await produce(log, { seq: 2 })).baseOffset, 2n);
  assert.equal(log.highWatermark, 3n);
  // Producers are independent.
  assert.equal((await produce(log, { pid: 8n, seq: 0 })).baseOffset, 3n);
});

test('only the last 5 batches are remembered', async (t) => {
  const log = await openLog(t, await tempDir(t));
  for (let seq = 0; seq < 6; seq++) await produce(log, { seq });
  assert.equal((await produce(log, { seq: 1 })).duplicate, true);
  await rejectsWith(produce(log, { seq: 0 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('epochs: a higher one restarts at 0, a lower one is INVALID_PRODUCER_EPOCH', async (t) => {
  const log = await openLog(t, await tempDir(t));
  await produce(log, { epoch: 1, seq: 0, n: 2 });
  await rejectsWith(produce(log, { epoch: 2, seq: 2 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal((await produce(log, { epoch: 2, seq: 0 })).baseOffset, 2n);
  await rejectsWith(produce(log, { epoch: 1, seq: 2 }), ErrorCode.INVALID_PRODUCER_EPOCH);
  await rejectsWith(produce(log, { epoch: 0, seq: 0 }), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await produce(log, { epoch: 2, seq: 1 })).baseOffset, 3n);
});

test('duplicate and sequence checks still hold after a reopen, with or without the snapshot', async (t) => {
  const dir = await tempDir(t);
  const log = await openLog(t, dir);
  for (let seq = 0; seq < 40; seq += 2) await produce(log, { seq, n: 2, epoch: 3 }); // several segments
  assert.ok(log.segmentCount > 1);
  await log.close();
  const reopened = await openLog(t, dir);
  assert.deepEqual(await produce(reopened, { seq: 38, n: 2, epoch: 3 }), { baseOffset: 38n, logStartOffset: 0n, duplicate: true, logAppendTime: -1n });
  await rejectsWith(produce(reopened, { seq: 41, epoch: 3 }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  await rejectsWith(produce(reopened, { seq: 40, epoch: 2 }), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await produce(reopened, { seq: 40, epoch: 3 })).baseOffset, 40n);
});

function header(o: Partial<BatchHeader>): BatchHeader {
  return {
    position: 0,
    size: 61,
    baseOffset: 0n,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: 0,
    baseTimestamp: 0n,
    maxTimestamp: 0n,
    producerId: 1n,
    producerEpoch: 0,
    baseSequence: 0,
    recordsCount: 1,
    ...o,
  };
}

test('sequences wrap from int32 max to 0', () => {
  const table = new ProducerStateTable();
  table.replay(header({ baseSequence: 0x7ffffff0, lastOffsetDelta: 15, recordsCount: 16 })); // last seq = int32 max
  const next = table.check([header({ baseOffset: 16n, baseSequence: 0 })]);
  assert.ok('staged' in next);
  table.commit(next.staged);
  assert.deepEqual(table.check([header({ baseSequence: 0 })]), { duplicateOf: 16n });
  assert.throws(() => table.check([header({ baseSequence: 5 })]), KafkaError);
  // A batch that itself wraps: int32 max - 1 with 3 records covers max-1, max, 0; next is 1.
  const t2 = new ProducerStateTable();
  t2.replay(header({ producerId: 2n, baseSequence: 0x7ffffffd, lastOffsetDelta: 0 }));
  const wrapping = t2.check([header({ producerId: 2n, baseSequence: 0x7ffffffe, lastOffsetDelta: 2, recordsCount: 3 })]);
  assert.ok('staged' in wrapping);
  t2.commit(wrapping.staged);
  assert.ok('staged' in t2.check([header({ producerId: 2n, baseSequence: 1 })]));
});

test('snapshot round trip keeps epochs and batches', () => {
  const table = new ProducerStateTable();
  table.replay(header({ producerId: 5n, producerEpoch: 4, baseSequence: 0, lastOffsetDelta: 2, recordsCount: 3, baseOffset: 10n }));
  const copy = ProducerStateTable.fromSnapshot(JSON.parse(JSON.stringify(table.toSnapshot())) as ReturnType<ProducerStateTable['toSnapshot']>);
  assert.deepEqual(copy.check([header({ producerId: 5n, producerEpoch: 4, baseSequence: 0, lastOffsetDelta: 2, recordsCount: 3 })]), { duplicateOf: 10n });
  assert.throws(
    () => copy.check([header({ producerId: 5n, producerEpoch: 3, baseSequence: 3 })]),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.INVALID_PRODUCER_EPOCH,
  );
});
