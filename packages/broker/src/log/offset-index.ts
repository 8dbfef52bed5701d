// The sparse index of one segment (`<baseOffset>.index`): every ~indexIntervalBytes of log, one
// 16-byte entry (relative offset uint32, file position uint32, max timestamp of the segment before
// that position int64). It answers both "where is offset O" and "where can a scan for timestamp T
// start". Kept in memory, appended to its file without fsync: after a crash it is checked against the
// log and rebuilt from it when it does not match.
import fs from 'node:fs';

const ENTRY_SIZE = 16;

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
  private relOffsets: number[] = [];
  private positions: number[] = [];
  private timestamps: bigint[] = [];

  private constructor(file: string, baseOffset: bigint, fd: number) {
    this.file = file;
    this.baseOffset = baseOffset;
    this.fd = fd;
  }

  /** Opens (or creates) the index file and loads the longest prefix of well-ordered entries. */
  static open(file: string, baseOffset: bigint): OffsetIndex {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const index = new OffsetIndex(file, baseOffset, fd);
    const bytes = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(bytes - (bytes % ENTRY_SIZE));
    if (buf.length > 0) fs.readSync(fd, buf, 0, buf.length, 0);
    for (let p = 0; p + ENTRY_SIZE <= buf.length; p += ENTRY_SIZE) {
      const rel = buf.readUInt32BE(p);
      const pos = buf.readUInt32BE(p + 4);
      const ts = buf.readBigInt64BE(p + 8);
      const prev = index.relOffsets.length - 1;
      if (prev >= 0 && (rel <= index.relOffsets[prev]! || pos <= index.positions[prev]! || ts < index.timestamps[prev]!)) break;
      index.relOffsets.push(rel);
      index.positions.push(pos);
      index.timestamps.push(ts);
    }
    if (index.relOffsets.length * ENTRY_SIZE !== bytes) fs.ftruncateSync(fd, index.relOffsets.length * ENTRY_SIZE);
    return index;
  }

  get entries(): number {
    return this.relOffsets.length;
  }

  last(): IndexEntry | undefined {
    const i = this.relOffsets.length - 1;
    return i < 0 ? undefined : this.entry(i);
  }

  /** Position of the last entry, 0 when empty: appends add an entry once they are far enough past it. */
  get lastPosition(): number {
    return this.positions.at(-1) ?? 0;
  }

  append(offset: bigint, position: number, maxTimestampBefore: bigint): void {
    const rel = Number(offset - this.baseOffset);
    const buf = Buffer.allocUnsafe(ENTRY_SIZE);
    buf.writeUInt32BE(rel, 0);
    buf.writeUInt32BE(position, 4);
    buf.writeBigInt64BE(maxTimestampBefore, 8);
    fs.writeSync(this.writableFd(), buf, 0, ENTRY_SIZE, this.relOffsets.length * ENTRY_SIZE);
    this.relOffsets.push(rel);
    this.positions.push(position);
    this.timestamps.push(maxTimestampBefore);
  }

  /** The last entry whose offset is <= `offset` (where a scan for `offset` can start). */
  lookup(offset: bigint): IndexEntry | undefined {
    const rel = offset - this.baseOffset;
    if (rel < 0n) return undefined;
    const target = rel > 0xffffffffn ? 0xffffffff : Number(rel);
    const i = lastIndexWhere(this.relOffsets.length, (k) => this.relOffsets[k]! <= target);
    return i < 0 ? undefined : this.entry(i);
  }

  /** The last entry before which every batch has maxTimestamp < `timestamp`: a timestamp scan starts there. */
  lookupTimestamp(timestamp: bigint): IndexEntry | undefined {
    const i = lastIndexWhere(this.timestamps.length, (k) => this.timestamps[k]! < timestamp);
    return i < 0 ? undefined : this.entry(i);
  }

  /** Drops entries at or past `position` (after the log was truncated there). */
  truncateFromPosition(position: number): void {
    let n = this.positions.length;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
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
    if (n === this.relOffsets.length) return;
    this.relOffsets.length = n;
    this.positions.length = n;
    this.timestamps.length = n;
    fs.ftruncateSync(this.writableFd(), n * ENTRY_SIZE);
  }

  private entry(i: number): IndexEntry {
    return { offset: this.baseOffset + BigInt(this.relOffsets[i]!), position: this.positions[i]!, maxTimestampBefore: this.timestamps[i]! };
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
