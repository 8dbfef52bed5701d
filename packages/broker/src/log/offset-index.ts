// The sparse index of one segment (`<baseOffset>.index`): every ~indexIntervalBytes of log, one
// 16-byte entry (relative offset uint32, file position uint32, max timestamp of the segment before
// that position int64). It answers both "where is offset O" and "where can a scan for timestamp T
// start". Kept in memory, appended to its file without fsync: after a crash it is checked against the
// log and rebuilt from it when it does not match.
import fs from 'node:fs';

const ENTRY_SIZE = 16;
/** Entries an index starts with room for (1 KiB). */
const INITIAL_CAPACITY = 64;

export interface IndexEntry {
  offset: bigint;
  position: number;
  /** Largest batch maxTimestamp in the segment before `position` (-1 if none). */
  maxTimestampBefore: bigint;
}

export class OffsetIndex {
  readonly file: string;
  readonly baseOffset: bigint;
  private fd: number;
  /**
   * The entries exactly as in the file, 16 bytes each, in a buffer grown by doubling: an active segment
   * gains one entry per ~4 KiB appended for as long as it lives (up to segment.bytes), so the in-memory
   * form is the compact one (three JS arrays with a BigInt per timestamp took ~4× as much; the soak saw
   * the broker's heap grow by it).
   */
  private buf: Buffer;
  private count = 0;

  private constructor(file: string, baseOffset: bigint, fd: number, buf: Buffer) {
    this.file = file;
    this.baseOffset = baseOffset;
    this.fd = fd;
    this.buf = buf;
  }

  /** Opens (or creates) the index file and loads the longest prefix of well-ordered entries. */
  static open(file: string, baseOffset: bigint): OffsetIndex {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const bytes = fs.fstatSync(fd).size;
    const whole = bytes - (bytes % ENTRY_SIZE);
    const buf = Buffer.allocUnsafeSlow(Math.max(INITIAL_CAPACITY * ENTRY_SIZE, whole));
    if (whole > 0) fs.readSync(fd, buf, 0, whole, 0);
    const index = new OffsetIndex(file, baseOffset, fd, buf);
    let n = 0;
    for (; (n + 1) * ENTRY_SIZE <= whole; n++) {
      const p = n * ENTRY_SIZE;
      if (
        n > 0 &&
        (buf.readUInt32BE(p) <= buf.readUInt32BE(p - ENTRY_SIZE) ||
          buf.readUInt32BE(p + 4) <= buf.readUInt32BE(p - ENTRY_SIZE + 4) ||
          buf.readBigInt64BE(p + 8) < buf.readBigInt64BE(p - ENTRY_SIZE + 8))
      )
        break;
    }
    index.count = n;
    if (n * ENTRY_SIZE !== bytes) fs.ftruncateSync(fd, n * ENTRY_SIZE);
    return index;
  }

  get entries(): number {
    return this.count;
  }

  last(): IndexEntry | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  /** Position of the last entry, 0 when empty: appends add an entry once they are far enough past it. */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.positionAt(this.count - 1);
  }

  append(offset: bigint, position: number, maxTimestampBefore: bigint): void {
    const rel = Number(offset - this.baseOffset);
    if ((this.count + 1) * ENTRY_SIZE > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.count * ENTRY_SIZE);
      this.buf = grown;
    }
    const p = this.count * ENTRY_SIZE;
    this.buf.writeUInt32BE(rel, p);
    this.buf.writeUInt32BE(position, p + 4);
    this.buf.writeBigInt64BE(maxTimestampBefore, p + 8);
    fs.writeSync(this.writableFd(), this.buf, p, ENTRY_SIZE, p);
    this.count += 1;
  }

  /** The last entry whose offset is <= `offset` (where a scan for `offset` can start). */
  lookup(offset: bigint): IndexEntry | undefined {
    const rel = offset - this.baseOffset;
    if (rel < 0n) return undefined;
    const target = rel > 0xffffffffn ? 0xffffffff : Number(rel);
    const i = lastIndexWhere(this.count, (k) => this.buf.readUInt32BE(k * ENTRY_SIZE) <= target);
    return i < 0 ? undefined : this.entry(i);
  }

  /** The last entry before which every batch has maxTimestamp < `timestamp`: a timestamp scan starts there. */
  lookupTimestamp(timestamp: bigint): IndexEntry | undefined {
    const i = lastIndexWhere(this.count, (k) => this.buf.readBigInt64BE(k * ENTRY_SIZE + 8) < timestamp);
    return i < 0 ? undefined : this.entry(i);
  }

  /** Drops entries at or past `position` (after the log was truncated there). */
  truncateFromPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positionAt(n - 1) >= position) n--;
    this.truncateEntries(n);
  }

  reset(): void {
    this.truncateEntries(0);
  }

  /** Releases the file descriptor of a segment no longer appended to (lookups stay in memory). */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private writableFd(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.file, fs.constants.O_RDWR);
    return this.fd;
  }

  private truncateEntries(n: number): void {
    if (n === this.count) return;
    this.count = n;
    fs.ftruncateSync(this.writableFd(), n * ENTRY_SIZE);
  }

  private positionAt(i: number): number {
    return this.buf.readUInt32BE(i * ENTRY_SIZE + 4);
  }

  private entry(i: number): IndexEntry {
    const p = i * ENTRY_SIZE;
    return {
      offset: this.baseOffset + BigInt(this.buf.readUInt32BE(p)),
      position: this.buf.readUInt32BE(p + 4),
      maxTimestampBefore: this.buf.readBigInt64BE(p + 8),
    };
  }
}

/** Binary search over a prefix-true predicate: the last k in [0, n) with pred(k), or -1. */
function lastIndexWhere(n: number, pred: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
