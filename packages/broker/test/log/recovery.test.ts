// Crash recovery: what a kill -9 or a torn write leaves in the last segment is cut off on open, the
// index is rebuilt when it does not match, and appends continue at the right offset.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { DEFAULT_TOPIC_CONFIG } from '../../src/log/topic-config.ts';
import { closeAfter, decodeBatches, makeBatch, tempDir } from './batch-factory.ts';

const config = { ...DEFAULT_TOPIC_CONFIG, segmentBytes: 2048 };

async function openLog(t: TestContext, dir: string): Promise<PartitionLog> {
  return closeAfter(t, await PartitionLog.open({ dir, topic: 't', partition: 0, config: () => config, flush: { mode: 'always' }, indexIntervalBytes: 200 }));
}

/** A log of 25 two-record batches (several segments), closed. Returns the values in order. */
async function writeLog(t: TestContext, dir: string): Promise<string[]> {
  const log = await openLog(t, dir);
  const values: string[] = [];
  for (let i = 0; i < 25; i++) {
    const batch = [`r${i}a`.padEnd(100, '-'), `r${i}b`];
    values.push(...batch);
    await log.append(await makeBatch({ values: batch, producerId: 9n, producerEpoch: 0, baseSequence: i * 2 }));
  }
  await log.close();
  return values;
}

function lastSegment(dir: string): string {
  return path.join(
    dir,
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .at(-1)!,
  );
}

async function readAll(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  for (let offset = log.logStartOffset; offset < log.highWatermark;) {
    const batches = await decodeBatches(log.read(offset, 300).records);
    for (const r of batches.flatMap((b) => b.records)) {
      if (BigInt(r.offset) >= offset) out.push(r.value!.toString());
    }
    offset = BigInt(batches.at(-1)!.records.at(-1)!.offset) + 1n;
  }
  return out;
}

/** After recovery: the surviving prefix reads back, every offset is found, appends continue after it. */
async function assertRecovered(t: TestContext, dir: string, expected: string[]): Promise<void> {
  const log = await openLog(t, dir);
  assert.equal(log.highWatermark, BigInt(expected.length));
  assert.deepEqual(await readAll(log), expected);
  for (let o = 0n; o < log.highWatermark; o++) {
    const [b] = await decodeBatches(log.read(o, 1).records);
    assert.ok(b !== undefined && BigInt(b.firstOffset) <= o && BigInt(b.records.at(-1)!.offset) >= o, `offset ${o}`);
  }
  const next = await log.append(await makeBatch({ values: ['after-crash'] }));
  assert.equal(next.baseOffset, BigInt(expected.length));
  assert.deepEqual((await readAll(log)).slice(-1), ['after-crash']);
  await log.close();
  const again = await openLog(t, dir);
  assert.equal(again.highWatermark, BigInt(expected.length + 1));
}

test('a last segment cut mid-batch loses only the torn batch', async (t) => {
  const dir = await tempDir(t);
  const values = await writeLog(t, dir);
  const file = lastSegment(dir);
  fs.truncateSync(file, fs.statSync(file).size - 30);
  await assertRecovered(t, dir, values.slice(0, -2));
});

test('garbage after the last batch is cut off', async (t) => {
  for (const garbage of [randomBytes(5000), Buffer.alloc(4096), randomBytes(7)]) {
    const dir = await tempDir(t);
    const values = await writeLog(t, dir);
    fs.appendFileSync(lastSegment(dir), garbage);
    await assertRecovered(t, dir, values);
  }
});

test('a last batch with a bad CRC is cut off', async (t) => {
  const dir = await tempDir(t);
  const values = await writeLog(t, dir);
  const file = lastSegment(dir);
  const fd = fs.openSync(file, 'r+');
  const size = fs.fstatSync(fd).size;
  fs.writeSync(fd, Buffer.from([0xab]), 0, 1, size - 3); // a flipped byte inside the last record
  fs.closeSync(fd);
  await assertRecovered(t, dir, values.slice(0, -2));
});

test('a missing or garbled index is rebuilt from the log', async (t) => {
  const dir = await tempDir(t);
  const values = await writeLog(t, dir);
  const indexes = fs.readdirSync(dir).filter((f) => f.endsWith('.index'));
  assert.ok(indexes.length > 1);
  fs.rmSync(path.join(dir, indexes[0]!));
  fs.writeFileSync(path.join(dir, indexes.at(-1)!), randomBytes(64));
  await assertRecovered(t, dir, values);
  assert.ok(fs.statSync(path.join(dir, indexes[0]!)).size > 0, 'index rebuilt');
});

test('an index pointing past a truncated log is trimmed', async (t) => {
  const dir = await tempDir(t);
  const values = await writeLog(t, dir);
  const file = lastSegment(dir);
  const index = file.replace(/\.log$/, '.index');
  assert.ok(fs.statSync(index).size >= 16, 'the active segment has index entries');
  // Keep only the first batch of the last segment: its index entries now point past the end.
  const [first] = await decodeBatches(fs.readFileSync(file));
  const firstSize = fs.readFileSync(file).readInt32BE(8) + 12;
  fs.truncateSync(file, firstSize);
  const base = Number(first!.firstOffset);
  await assertRecovered(t, dir, values.slice(0, base + 2));
});

test('idempotent producer state survives a torn tail and a lost snapshot', async (t) => {
  const dir = await tempDir(t);
  await writeLog(t, dir);
  const file = lastSegment(dir);
  fs.truncateSync(file, fs.statSync(file).size - 1); // the last batch (seq 48-49) is gone
  fs.rmSync(path.join(dir, 'producer-state.json'));
  const log = await openLog(t, dir);
  assert.equal(log.highWatermark, 48n);
  // seq 46-47 is still a known duplicate; 48 is next again.
  const dup = await log.append(await makeBatch({ values: ['x', 'y'], producerId: 9n, baseSequence: 46 }));
  assert.deepEqual(dup, { baseOffset: 46n, logStartOffset: 0n, duplicate: true, logAppendTime: -1n });
  const next = await log.append(await makeBatch({ values: ['x', 'y'], producerId: 9n, baseSequence: 48 }));
  assert.deepEqual(next, { baseOffset: 48n, logStartOffset: 0n, duplicate: false, logAppendTime: -1n });
});
