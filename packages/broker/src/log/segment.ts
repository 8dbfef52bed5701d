// One segment of a partition log: `<baseOffset 20 digits>.log` holding whole RecordBatch v2 batches
// back to back, plus its sparse OffsetIndex. Reads use positional reads on a kept-open fd; writes
// append at the end. Opening a segment checks (and for the active one CRC-verifies) its tail past the
// last index entry and truncates anything torn or corrupt there.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { OffsetIndex } from './offset-index.ts';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, checkBatch, findRecordByTimestamp, lastOffsetOf, readBatchHeader, type BatchHeader } from './record-batch.ts';

const fdatasync = promisify(fs.fdatasync);
// Verifying scans read whole batches in big chunks; header-only scans read small windows so that
// skipping over large batches does not read their bodies.
const VERIFY_CHUNK = 256 * 1024;
const HEADER_CHUNK = 16 * 1024;

export function segmentFileName(baseOffset: bigint, suffix: '.log' | '.index'): string {
  return `${baseOffset.toString().padStart(20, '0')}${suffix}`;
}

export interface ScanResult {
  /** Position after the last good batch. */
  end: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem?: string;
}

export interface SegmentOpenOptions {
  indexIntervalBytes: number;
  /** CRC-verify the tail (the active segment after a possible crash). */
  verifyTail: boolean;
}

export class Segment {
  readonly baseOffset: bigint;
  readonly logFile: string;
  readonly index: OffsetIndex;
  private readonly indexIntervalBytes: number;
  private fd: number;
  /** Bytes of whole batches in the file. */
  size = 0;
  /** Offset after the last batch (= baseOffset when empty). */
  nextOffset: bigint;
  /** Largest batch maxTimestamp in the segment, -1 when empty. */
  maxTimestamp = -1n;
  /** Where the previous read ended, so a consumer reading on from there skips the index scan. */
  private readCursor: { offset: bigint; position: number } | undefined;

  private constructor(dir: string, baseOffset: bigint, fd: number, index: OffsetIndex, indexIntervalBytes: number) {
    this.baseOffset = baseOffset;
    this.logFile = path.join(dir, segmentFileName(baseOffset, '.log'));
    this.fd = fd;
    this.index = index;
    this.indexIntervalBytes = indexIntervalBytes;
    this.nextOffset = baseOffset;
  }

  static create(dir: string, baseOffset: bigint, indexIntervalBytes: number): Segment {
    const logFile = path.join(dir, segmentFileName(baseOffset, '.log'));
    const fd = fs.openSync(logFile, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    const indexFile = path.join(dir, segmentFileName(baseOffset, '.index'));
    fs.rmSync(indexFile, { force: true });
    return new Segment(dir, baseOffset, fd, OffsetIndex.open(indexFile, baseOffset), indexIntervalBytes);
  }

  /**
   * Opens an existing segment: trusts the index up to its last entry that matches the log, scans the
   * rest (rebuilding index entries as it goes) and truncates the file at the first bad batch.
   */
  static open(dir: string, baseOffset: bigint, options: SegmentOpenOptions): { segment: Segment; truncated?: { at: number; bytes: number; problem: string } } {
    const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, '.log')), fs.constants.O_RDWR);
    const index = OffsetIndex.open(path.join(dir, segmentFileName(baseOffset, '.index')), baseOffset);
    const segment = new Segment(dir, baseOffset, fd, index, options.indexIntervalBytes);
    const fileSize = fs.fstatSync(fd).size;
    index.truncateFromPosition(fileSize);
    const last = index.last();
    if (last !== undefined && !segment.batchStartsAt(last.position, last.offset, fileSize)) index.reset();
    const start = index.last();
    segment.size = start?.position ?? 0;
    segment.nextOffset = start?.offset ?? baseOffset;
    segment.maxTimestamp = start?.maxTimestampBefore ?? -1n;
    const result = segment.scan(segment.size, fileSize, options.verifyTail, (h) => {
      if (h.baseOffset !== segment.nextOffset) return `batch at ${h.position} has offset ${h.baseOffset}, expected ${segment.nextOffset}`;
      segment.track(h);
      return undefined;
    });
    if (result.problem === undefined) return { segment };
    fs.ftruncateSync(fd, result.end);
    fs.fdatasyncSync(fd);
    return { segment, truncated: { at: result.end, bytes: fileSize - result.end, problem: result.problem } };
  }

  /** Appends whole batches (their baseOffsets already assigned) at the end of the file. */
  append(buf: Buffer, headers: readonly BatchHeader[]): void {
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd, buf, written, buf.length - written, this.size + written);
    const base = this.size;
    for (const h of headers) this.track({ ...h, position: base + h.position });
  }

  /** Position of the batch containing `offset` (or the first batch after it), or -1 if none. */
  positionOf(offset: bigint): number {
    if (offset >= this.nextOffset) return -1;
    if (this.readCursor !== undefined && this.readCursor.offset === offset) return this.readCursor.position;
    const entry = this.index.lookup(offset);
    let found = -1;
    this.scan(entry?.position ?? 0, this.size, false, (h) => {
      if (lastOffsetOf(h) < offset) return undefined;
      found = h.position;
      return 'found';
    });
    return found;
  }

  /** Whole batches from `position`, about `maxBytes` of them but always at least one. */
  read(position: number, maxBytes: number): Buffer {
    const available = this.size - position;
    if (available <= 0) return Buffer.alloc(0);
    let buf = this.pread(position, Math.min(available, Math.max(maxBytes, BATCH_HEADER_SIZE)));
    let cut = 0;
    let next: bigint | undefined;
    while (buf.length - cut >= LOG_OVERHEAD) {
      const size = LOG_OVERHEAD + buf.readInt32BE(cut + 8);
      if (cut + size > buf.length) break;
      next = buf.readBigInt64BE(cut) + BigInt(buf.readInt32BE(cut + 23)) + 1n;
      cut += size;
    }
    if (cut === 0) {
      // The first batch alone is larger than maxBytes: return it whole anyway.
      const size = LOG_OVERHEAD + buf.readInt32BE(8);
      buf = this.pread(position, size);
      next = buf.readBigInt64BE(0) + BigInt(buf.readInt32BE(23)) + 1n;
      cut = size;
    }
    if (next !== undefined) this.readCursor = { offset: next, position: position + cut };
    return buf.subarray(0, cut);
  }

  /** First record with timestamp >= `timestamp` at or after `minOffset`, or undefined. */
  findByTimestamp(timestamp: bigint, minOffset: bigint): { offset: bigint; timestamp: bigint } | undefined {
    if (this.maxTimestamp < timestamp || this.nextOffset <= minOffset) return undefined;
    const start = Math.max(this.index.lookupTimestamp(timestamp)?.position ?? 0, this.index.lookup(minOffset)?.position ?? 0);
    let result: { offset: bigint; timestamp: bigint } | undefined;
    this.scan(start, this.size, false, (h) => {
      if (h.maxTimestamp < timestamp || lastOffsetOf(h) < minOffset) return undefined;
      const found = findRecordByTimestamp(this.pread(h.position, h.size), h, 0, timestamp);
      result = found.offset < minOffset ? { offset: minOffset, timestamp: found.timestamp } : found;
      return 'found';
    });
    return result;
  }

  /** Calls `visit` for each batch header from `from` to `to`; stops when it returns a reason. */
  scan(from: number, to: number, verifyCrc: boolean, visit: (h: BatchHeader) => string | undefined): ScanResult {
    let window: Buffer = Buffer.alloc(0);
    let windowStart = from;
    const ensure = (pos: number, len: number): Buffer => {
      if (pos < windowStart || pos + len > windowStart + window.length) {
        window = this.pread(pos, Math.min(to - pos, Math.max(verifyCrc ? VERIFY_CHUNK : HEADER_CHUNK, len)));
        windowStart = pos;
      }
      return window;
    };
    let pos = from;
    while (pos < to) {
      if (to - pos < BATCH_HEADER_SIZE) return { end: pos, problem: `${to - pos} trailing bytes, less than a batch header` };
      let buf = ensure(pos, BATCH_HEADER_SIZE);
      const size = LOG_OVERHEAD + buf.readInt32BE(pos - windowStart + 8);
      if (size < BATCH_HEADER_SIZE || pos + size > to) return { end: pos, problem: `batch at ${pos} of ${size} bytes runs past the end (${to})` };
      if (verifyCrc) {
        buf = ensure(pos, size);
        const problem = checkBatch(buf, pos - windowStart, pos - windowStart + size);
        if (problem !== undefined) return { end: pos, problem: `batch at ${pos}: ${problem}` };
      } else if (buf.readInt8(pos - windowStart + 16) !== 2) {
        return { end: pos, problem: `batch at ${pos}: bad magic` };
      }
      const stop = visit(readBatchHeader(buf, pos - windowStart, pos));
      if (stop === 'found') return { end: pos };
      if (stop !== undefined) return { end: pos, problem: stop };
      pos += size;
    }
    return { end: pos };
  }

  async sync(): Promise<void> {
    await fdatasync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.index.close();
  }

  /** Closes and removes the segment's files. */
  delete(): void {
    this.close();
    fs.rmSync(this.logFile, { force: true });
    fs.rmSync(this.index.file, { force: true });
  }

  /** Accounts a batch now at `h.position` in the file: size, offsets, timestamps, index entry. */
  private track(h: BatchHeader): void {
    if (h.position - this.index.lastPosition >= this.indexIntervalBytes) this.index.append(h.baseOffset, h.position, this.maxTimestamp);
    this.size = h.position + h.size;
    this.nextOffset = lastOffsetOf(h) + 1n;
    if (h.maxTimestamp > this.maxTimestamp) this.maxTimestamp = h.maxTimestamp;
  }

  private batchStartsAt(position: number, offset: bigint, fileSize: number): boolean {
    if (position + BATCH_HEADER_SIZE > fileSize) return false;
    const h = readBatchHeader(this.pread(position, BATCH_HEADER_SIZE), 0, position);
    return h.baseOffset === offset && h.magic === 2 && h.size >= BATCH_HEADER_SIZE;
  }

  private pread(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  }
}
