// patches/kafkajs@2.2.4.patch speeds up kafkajs's Encoder: varints written straight into the buffer, a
// varlong of a safe number zigzag-encoded with Number arithmetic instead of Longs, and buffers taken from
// Buffer.allocUnsafe. Every request and record kafkajs sends goes through it, so these check its bytes
// against Kafka's encoding written out here from the protocol (zigzag, then 7 bits a byte, low first),
// with the pool dirtied first so a byte the encoder forgot to write would show.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);

interface EncoderInstance {
  buffer: Buffer;
  writeVarInt(value: number): EncoderInstance;
  writeUVarInt(value: number): EncoderInstance;
  writeVarLong(value: unknown): EncoderInstance;
}
interface EncoderClass {
  new (initialSize?: number): EncoderInstance;
  sizeOfVarLong(value: unknown): number;
}
interface DecoderInstance {
  readVarLong(): { toString(): string };
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => DecoderInstance;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
}) => EncoderInstance;

/** Kafka's unsigned varint: 7 bits a byte, low bits first, the high bit set on every byte but the last. */
function uvarint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}
const zigzag64 = (value: bigint): bigint => (value >= 0n ? value * 2n : -value * 2n - 1n);
const varlong = (value: bigint): Buffer => uvarint(zigzag64(value));
const varint = (value: number): Buffer => uvarint(BigInt(((value << 1) ^ (value >> 31)) >>> 0));

/** Fills Node's Buffer pool (where allocUnsafe takes small buffers from) with a marker byte. */
function dirtyPool(): void {
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(4096).fill(0xaa);
  for (let i = 0; i < 256; i++) Buffer.allocUnsafe(512).fill(0xaa);
}

const interestingLongs: bigint[] = [0n, 1n, -1n, 63n, -64n, 64n, -65n, 127n, 128n, 8191n, 8192n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, 2n ** 32n];
for (let bits = 33; bits <= 52; bits++) interestingLongs.push(2n ** BigInt(bits) - 1n, -(2n ** BigInt(bits)), 2n ** BigInt(bits));
interestingLongs.push(1_796_609_247_377n, -1_796_609_247_377n, 2n ** 52n, -(2n ** 52n));

test('a varlong of a number within ±2^52 has Kafka bytes, its size says so, and kafkajs reads it back', () => {
  dirtyPool();
  const randoms = Array.from({ length: 2000 }, () => BigInt(Math.round((Math.random() - 0.5) * 2 ** (1 + Math.random() * 52))));
  for (const value of [...interestingLongs, ...randoms]) {
    const written = new Encoder().writeVarLong(Number(value)).buffer;
    assert.deepEqual(written, varlong(value), `varlong of ${value}`);
    assert.equal(Encoder.sizeOfVarLong(Number(value)), written.length, `sizeOfVarLong(${value})`);
    assert.equal(new Decoder(written).readVarLong().toString(), value.toString(), `read back ${value}`);
  }
});

test('a varlong beyond 2^52, or given as a Long, bigint or string, keeps the Long path with the same bytes', () => {
  dirtyPool();
  const large = [2n ** 52n + 1n, -(2n ** 52n) - 1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
  for (const value of [...large, ...interestingLongs.slice(0, 20)]) {
    for (const input of [Long.fromValue(value.toString()), value, value.toString()]) {
      assert.deepEqual(new Encoder().writeVarLong(input).buffer, varlong(value), `varlong of ${value} as ${typeof input}`);
      assert.equal(Encoder.sizeOfVarLong(input), varlong(value).length);
    }
  }
  // An unsafe number keeps the Long path too (kafkajs's Long takes it as it always did).
  assert.deepEqual(new Encoder().writeVarLong(2 ** 60).buffer, varlong(2n ** 60n));
  assert.equal(Encoder.sizeOfVarLong(2 ** 60), varlong(2n ** 60n).length);
});

test('varints (signed and unsigned) are written straight into the buffer with Kafka bytes', () => {
  dirtyPool();
  const values = [0, 1, -1, 63, -64, 64, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31)];
  for (let i = 0; i < 2000; i++) values.push(Math.trunc((Math.random() - 0.5) * 2 ** 32) | 0);
  const encoder = new Encoder(1);
  const expected: Buffer[] = [];
  for (const value of values) {
    encoder.writeVarInt(value);
    expected.push(varint(value));
    if (value >= 0) {
      encoder.writeUVarInt(value);
      expected.push(uvarint(BigInt(value)));
    }
  }
  // One encoder grown from a single byte: every growth keeps what was written before it.
  assert.deepEqual(encoder.buffer, Buffer.concat(expected));
});

test('a record with a key, headers (one repeated) and a negative timestamp delta has Kafka bytes', () => {
  dirtyPool();
  const key = Buffer.from('event-key');
  const value = Buffer.alloc(300, 7);
  const traceparent = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
  const record = Record({ offsetDelta: 3, timestampDelta: -5, key, value, headers: { traceparent, 'ey-kind': [Buffer.from('a'), 'b'] } });
  const header = (k: string, v: Buffer) => Buffer.concat([varint(Buffer.byteLength(k)), Buffer.from(k), varint(v.length), v]);
  const body = Buffer.concat([
    Buffer.from([0]),
    varlong(-5n),
    varint(3),
    varint(key.length),
    key,
    varint(value.length),
    value,
    varint(3),
    header('traceparent', Buffer.from(traceparent)),
    header('ey-kind', Buffer.from('a')),
    header('ey-kind', Buffer.from('b')),
  ]);
  assert.deepEqual(record.buffer, Buffer.concat([varint(body.length), body]));
  // A null key and a string value.
  const bare = Record({ offsetDelta: 0, timestampDelta: 2 ** 40, key: null, value: 'v' });
  const bareBody = Buffer.concat([Buffer.from([0]), varlong(2n ** 40n), varint(0), varint(-1), varint(1), Buffer.from('v'), varint(0)]);
  assert.deepEqual(bare.buffer, Buffer.concat([varint(bareBody.length), bareBody]));
});
