// Test fixtures: RecordBatch v2 bytes made by kafkajs 2.2.4's own encoder (the bytes a real producer
// sends), and kafkajs's decoder to read back what the log returns.
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

const require = createRequire(import.meta.url);
type Encoder = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: Record<string, unknown>) => Promise<Encoder> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: Record<string, unknown>) => Encoder;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: bigint | number | string): unknown };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => { canReadInt64(): boolean; offset: number; buffer: Buffer };
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<DecodedBatch>;

export const Compression = { None: 0, GZIP: 1 } as const;

export interface BatchOptions {
  /** Record values; keys are `k<i>`. */
  values: string[];
  compression?: number;
  baseTimestamp?: number;
  /** Per-record timestamp deltas from baseTimestamp. @default all 0 */
  timestampDeltas?: number[];
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  headers?: Record<string, string>;
}

export interface DecodedBatch {
  firstOffset: string;
  records: Array<{ offset: string; key: Buffer | null; value: Buffer | null; timestamp: string; headers: Record<string, Buffer> }>;
}

/** One batch as a kafkajs producer would send it (firstOffset 0). */
export async function makeBatch(o: BatchOptions): Promise<Buffer> {
  const base = o.baseTimestamp ?? Date.now();
  const deltas = o.timestampDeltas ?? o.values.map(() => 0);
  const records = o.values.map((value, i) =>
    Record({ offsetDelta: i, timestampDelta: deltas[i] ?? 0, key: Buffer.from(`k${i}`), value: Buffer.from(value), headers: o.headers ?? {} }),
  );
  const encoder = await RecordBatch({
    compression: o.compression ?? Compression.None,
    firstTimestamp: base,
    maxTimestamp: base + Math.max(0, ...deltas),
    lastOffsetDelta: o.values.length - 1,
    producerId: Long.fromValue(o.producerId ?? -1n),
    producerEpoch: o.producerEpoch ?? 0,
    firstSequence: o.baseSequence ?? 0,
    records,
  });
  return encoder.buffer;
}

/** Decodes concatenated batches with kafkajs's own decoder. */
export async function decodeBatches(buf: Buffer): Promise<DecodedBatch[]> {
  const decoder = new Decoder(buf);
  const out: DecodedBatch[] = [];
  while (decoder.offset < buf.length) out.push(await decodeBatch(decoder));
  return out;
}

/** Every record value in concatenated batches, in order. */
export async function valuesOf(buf: Buffer): Promise<string[]> {
  return (await decodeBatches(buf)).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

const scopes = new WeakMap<TestContext, { dirs: string[]; closables: Array<{ close(): Promise<void> }> }>();

function scopeOf(t: TestContext): { dirs: string[]; closables: Array<{ close(): Promise<void> }> } {
  let scope = scopes.get(t);
  if (scope === undefined) {
    const created = { dirs: [] as string[], closables: [] as Array<{ close(): Promise<void> }> };
    scopes.set(t, created);
    // One hook, so whatever was opened is closed before its directory is removed.
    t.after(async () => {
      for (const c of created.closables.reverse()) await c.close();
      for (const dir of created.dirs) await fs.rm(dir, { recursive: true, force: true });
    });
    scope = created;
  }
  return scope;
}

/** A temp directory removed after the test (after everything passed to `closeAfter`). */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ey-log-'));
  scopeOf(t).dirs.push(dir);
  return dir;
}

/** Closes `c` after the test, before the temp directories go. Idempotent close() expected. */
export function closeAfter<T extends { close(): Promise<void> }>(t: TestContext, c: T): T {
  scopeOf(t).closables.push(c);
  return c;
}
