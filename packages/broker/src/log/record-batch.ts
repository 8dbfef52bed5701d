// Kafka RecordBatch v2 headers: parsing, validation (sizes, magic, CRC-32C) and the in-place baseOffset
// rewrite. Codec-agnostic: the records section is never decompressed; only uncompressed batches are
// walked record by record (for timestamp lookups).
import { crc32c } from './crc32c.ts';
import { ErrorCode, KafkaError } from '../kafka-errors.ts';

/*
 * RecordBatch v2 =>
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records
 * batchLength counts the bytes after itself; the CRC covers attributes..end of batch.
 */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const MAX_TIMESTAMP_OFFSET = 35;

export const Attributes = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

const INT32_MAX = 0x7fffffff;

export interface BatchHeader {
  /** Position of the batch in the buffer (or file) it was read from. */
  position: number;
  /** Total size in bytes, including baseOffset and batchLength. */
  size: number;
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Reads the header at `pos`. The caller guarantees BATCH_HEADER_SIZE bytes are available. */
export function readBatchHeader(buf: Buffer, pos: number, position = pos): BatchHeader {
  return {
    position,
    size: LOG_OVERHEAD + buf.readInt32BE(pos + 8),
    baseOffset: buf.readBigInt64BE(pos),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + MAGIC_OFFSET),
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes: buf.readInt16BE(pos + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: buf.readBigInt64BE(pos + 27),
    maxTimestamp: buf.readBigInt64BE(pos + 35),
    producerId: buf.readBigInt64BE(pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount: buf.readInt32BE(pos + 57),
  };
}

/** Why the batch at `pos` is not a whole v2 batch (header, length, truncation, magic), or undefined. */
function framingProblem(buf: Buffer, pos: number, end: number): string | undefined {
  if (end - pos < BATCH_HEADER_SIZE) return `truncated batch header (${end - pos} bytes)`;
  const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
  if (size < BATCH_HEADER_SIZE) return `batch length ${size - LOG_OVERHEAD} is below the header size`;
  if (pos + size > end) return `batch of ${size} bytes truncated at ${end - pos} bytes`;
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic !== 2) return `unsupported magic ${magic} (only RecordBatch v2)`;
  return undefined;
}

/** Why the CRC of the (whole) batch at `pos` does not match, or undefined. */
function crcProblem(buf: Buffer, pos: number): string | undefined {
  const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
  const stored = buf.readUInt32BE(pos + CRC_OFFSET);
  const computed = crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + size));
  if (stored !== computed) return `CRC mismatch (stored ${stored}, computed ${computed})`;
  return undefined;
}

/** Why the batch at `pos` is invalid, or undefined if it is whole and its CRC matches. */
export function checkBatch(buf: Buffer, pos: number, end = buf.length): string | undefined {
  return framingProblem(buf, pos, end) ?? crcProblem(buf, pos);
}

/**
 * Validates a produce request's records: one or more whole v2 batches, nothing else. Throws
 * KafkaError(CORRUPT_MESSAGE) for bad sizes, magic, CRC or a record count that contradicts the offsets,
 * MESSAGE_TOO_LARGE for a batch larger than `maxBatchBytes` (the topic's max.message.bytes), and
 * INVALID_RECORD for what a client may not send (control batches, an idempotent batch without sequence).
 */
export function validateBatches(buf: Buffer, maxBatchBytes = Number.POSITIVE_INFINITY, partition = 'the partition'): BatchHeader[] {
  if (buf.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty records');
  const headers: BatchHeader[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const framing = framingProblem(buf, pos, buf.length);
    if (framing !== undefined) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos}: ${framing}`);
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
    // Kafka (UnifiedLog.analyzeAndValidateRecords) compares each batch's sizeInBytes, which for v2 is
    // the whole batch with its 12-byte log overhead, before it checks the CRC: RecordTooLargeException.
    if (size > maxBatchBytes) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `The record batch size in the append to ${partition} is ${size} bytes which exceeds the maximum configured value of ${maxBatchBytes}.`,
      );
    }
    const crc = crcProblem(buf, pos);
    if (crc !== undefined) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos}: ${crc}`);
    const h = readBatchHeader(buf, pos);
    if (h.lastOffsetDelta < 0 || h.recordsCount !== h.lastOffsetDelta + 1) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos}: ${h.recordsCount} records but lastOffsetDelta ${h.lastOffsetDelta}`);
    }
    if ((h.attributes & Attributes.CONTROL) !== 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'clients may not produce control batches');
    if (h.producerId >= 0n && h.baseSequence < 0) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `batch from producer ${h.producerId} has no sequence number`);
    }
    headers.push(h);
    pos += h.size;
  }
  return headers;
}

/** Rewrites baseOffset in place; it sits outside the CRC, so the batch stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos);
}

export function lastOffsetOf(h: BatchHeader): bigint {
  return h.baseOffset + BigInt(h.lastOffsetDelta);
}

/** The sequence of the batch's last record; sequences wrap from int32 max to 0 as in Kafka. */
export function lastSequenceOf(h: BatchHeader): number {
  return incrementSequence(h.baseSequence, h.lastOffsetDelta);
}

export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

export function isControlBatch(h: BatchHeader): boolean {
  return (h.attributes & Attributes.CONTROL) !== 0;
}

export function compressionOf(h: BatchHeader): number {
  return h.attributes & Attributes.COMPRESSION_MASK;
}

/** Iterates the headers of concatenated batches in `buf`, stopping at the first incomplete one. */
export function* iterateBatches(buf: Buffer): Generator<BatchHeader> {
  let pos = 0;
  while (buf.length - pos >= BATCH_HEADER_SIZE) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE || pos + size > buf.length) return;
    yield readBatchHeader(buf, pos);
    pos += size;
  }
}

function readVarint(buf: Buffer, cursor: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (cursor.pos >= buf.length || shift > 63n) throw new RangeError('bad varint');
    const byte = buf[cursor.pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7n;
  }
  return (result >> 1n) ^ -(result & 1n); // zig-zag
}

/**
 * The (offset delta, timestamp) of each record of an uncompressed batch starting at `pos`, or undefined
 * for a compressed batch (its records are not read without decompressing) or a malformed record
 * section (already CRC-checked, so written that way by the client).
 */
export function recordTimestamps(buf: Buffer, h: BatchHeader, pos: number): Array<{ offsetDelta: bigint; timestamp: bigint }> | undefined {
  if (compressionOf(h) !== 0) return undefined;
  const records: Array<{ offsetDelta: bigint; timestamp: bigint }> = [];
  try {
    const cursor = { pos: pos + BATCH_HEADER_SIZE };
    const end = pos + h.size;
    for (let i = 0; i < h.recordsCount && cursor.pos < end; i++) {
      const length = Number(readVarint(buf, cursor));
      const next = cursor.pos + length;
      cursor.pos += 1; // record attributes
      const timestamp = h.baseTimestamp + readVarint(buf, cursor);
      records.push({ offsetDelta: readVarint(buf, cursor), timestamp });
      cursor.pos = next;
    }
  } catch {
    return undefined;
  }
  return records;
}

/**
 * The first record at or after `timestamp` in one batch (the whole batch starting at `pos`):
 * uncompressed batches are walked record by record as Kafka does; for compressed batches (which we do
 * not decompress) and LogAppendTime batches the batch's base offset and max timestamp stand for it.
 */
export function findRecordByTimestamp(buf: Buffer, h: BatchHeader, pos: number, timestamp: bigint): { offset: bigint; timestamp: bigint } {
  const whole = { offset: h.baseOffset, timestamp: h.maxTimestamp };
  if ((h.attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND) !== 0) return whole;
  const found = recordTimestamps(buf, h, pos)?.find((r) => r.timestamp >= timestamp);
  return found === undefined ? whole : { offset: h.baseOffset + found.offsetDelta, timestamp: found.timestamp };
}

/**
 * Kafka's DefaultRecordBatch.setMaxTimestamp(LOG_APPEND_TIME, now): sets the timestamp-type bit and the
 * max timestamp (which consumers then read as every record's timestamp) and recomputes the CRC, which
 * covers both. `h` is updated to match.
 */
export function setLogAppendTime(buf: Buffer, h: BatchHeader, now: bigint): void {
  const pos = h.position;
  h.attributes |= Attributes.TIMESTAMP_TYPE_LOG_APPEND;
  h.maxTimestamp = now;
  buf.writeInt16BE(h.attributes, pos + ATTRIBUTES_OFFSET);
  buf.writeBigInt64BE(now, pos + MAX_TIMESTAMP_OFFSET);
  h.crc = crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + h.size));
  buf.writeUInt32BE(h.crc, pos + CRC_OFFSET);
}
