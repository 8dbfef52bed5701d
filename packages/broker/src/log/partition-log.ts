// One topic-partition's log: a directory of segments, appends serialised per partition with
// group-committed fsyncs, reads by offset and timestamp, retention and deleteRecords, and the
// recovery on open (torn tail truncated, index rebuilt, producer state restored).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { syncDirectory, writeFileAtomic } from './atomic-file.ts';
import { GroupSync } from './group-sync.ts';
import { ErrorCode, KafkaError } from '../kafka-errors.ts';
import { ProducerStateTable, type ProducerSnapshot } from './producer-state.ts';
import { setBaseOffset, validateBatches, type BatchHeader } from './record-batch.ts';
import { Segment } from './segment.ts';
import { applyTimestampPolicy } from './timestamp-policy.ts';
import type { TopicConfig } from './topic-config.ts';

export type FlushPolicy = { mode: 'always' } | { mode: 'interval'; intervalMs: number };

const LOG_START_CHECKPOINT = 'log-start-offset';
const PRODUCER_SNAPSHOT = 'producer-state.json';
const SEGMENT_FILE = /^(\d{20})\.log$/;
const INDEX_FILE = /^(\d{20})\.index$/;
const MAX_RELATIVE_OFFSET = 0x7fffffffn;

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  /** Read on every use, so config changes apply without reopening. */
  config: () => TopicConfig;
  flush: FlushPolicy;
  /** @default 4096 */
  indexIntervalBytes?: number;
  logger?: Logger;
}

export interface AppendResult {
  baseOffset: bigint;
  logStartOffset: bigint;
  duplicate: boolean;
  /** The broker time the batches were stamped with under message.timestamp.type=LogAppendTime, else -1. */
  logAppendTime: bigint;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private readonly dir: string;
  private readonly options: PartitionLogOptions;
  private readonly indexIntervalBytes: number;
  private readonly segments: Segment[];
  private producers: ProducerStateTable;
  private startOffset: bigint;
  private readonly durability: GroupSync;
  private readonly listeners = new Set<() => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(options: PartitionLogOptions, segments: Segment[], startOffset: bigint, producers: ProducerStateTable) {
    this.options = options;
    this.topic = options.topic;
    this.partition = options.partition;
    this.dir = options.dir;
    this.indexIntervalBytes = options.indexIntervalBytes ?? 4096;
    this.segments = segments;
    this.startOffset = startOffset;
    this.producers = producers;
    this.durability = new GroupSync(() => this.active.sync());
  }

  /** Opens the partition directory (creating it if absent) and recovers whatever a crash left there. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const { dir, logger } = options;
    const interval = options.indexIntervalBytes ?? 4096;
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir);
    const bases: bigint[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
      const m = SEGMENT_FILE.exec(name);
      if (m !== null) bases.push(BigInt(m[1]!));
    }
    for (const name of names) {
      const m = INDEX_FILE.exec(name);
      if (m !== null && !bases.includes(BigInt(m[1]!))) fs.rmSync(path.join(dir, name), { force: true });
    }
    bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const checkpoint = readBigIntFile(path.join(dir, LOG_START_CHECKPOINT));

    const segments: Segment[] = [];
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const prev = segments.at(-1);
      if (prev !== undefined && base < prev.nextOffset) {
        // Overlapping segments can only come from a damaged directory: keep the consistent prefix.
        logger?.warn({ dir, segment: base.toString() }, 'segment overlaps its predecessor; deleting it and the later ones');
        for (const b of bases.slice(i)) removeSegmentFiles(dir, b);
        break;
      }
      const { segment, truncated } = Segment.open(dir, base, { indexIntervalBytes: interval, verifyTail: i === bases.length - 1 });
      segments.push(segment);
      if (i < bases.length - 1) segment.index.close();
      if (truncated !== undefined) {
        logger?.warn(
          { dir, segment: base.toString(), position: truncated.at, bytes: truncated.bytes, problem: truncated.problem },
          'truncated a torn or corrupt log tail',
        );
        if (i < bases.length - 1) {
          for (const b of bases.slice(i + 1)) removeSegmentFiles(dir, b);
          break;
        }
      }
    }
    if (segments.length === 0) {
      segments.push(Segment.create(dir, checkpoint ?? 0n, interval));
      await syncDirectory(dir);
    }
    const end = segments.at(-1)!.nextOffset;
    let start = checkpoint !== undefined && checkpoint > segments[0]!.baseOffset ? checkpoint : segments[0]!.baseOffset;
    if (start > end) start = end;

    const producers = loadProducerState(dir, segments, end);
    return new PartitionLog(options, segments, start, producers);
  }

  get highWatermark(): bigint {
    return this.active.nextOffset;
  }

  get logStartOffset(): bigint {
    return this.startOffset;
  }

  get sizeBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return size;
  }

  /** Number of segment files (for tests and metrics). */
  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments.at(-1)!;
  }

  /**
   * Appends one or more RecordBatch v2 batches: validated, checked against the idempotent-producer
   * state, baseOffsets rewritten to the log end, written; resolves once durable under the flush policy.
   */
  async append(records: Buffer): Promise<AppendResult> {
    this.assertOpen();
    const headers = validateBatches(records, this.options.config().maxMessageBytes, `${this.topic}-${this.partition}`);
    const appended = this.serialised(() => this.appendLocked(records, headers));
    const { result, ticket } = await appended;
    if (this.options.flush.mode === 'always') {
      try {
        await this.durability.waitDurable(ticket);
      } catch (err) {
        this.options.logger?.error({ err, topic: this.topic, partition: this.partition }, 'fsync failed');
        throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `fsync failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return result;
  }

  private async appendLocked(records: Buffer, headers: BatchHeader[]): Promise<{ result: AppendResult; ticket: number }> {
    this.assertOpen();
    const config = this.options.config();
    const segmentBytes = config.segmentBytes;
    let next = this.active.nextOffset;
    for (const h of headers) {
      h.baseOffset = next;
      next += BigInt(h.lastOffsetDelta) + 1n;
    }
    // As in Kafka, timestamps are validated (and stamped) before duplicates are looked for.
    const logAppendTime = applyTimestampPolicy(records, headers, config, BigInt(Date.now()));
    // Kafka compares the whole append (every batch of the partition's records), after validation, with
    // segment.bytes: RecordBatchTooLargeException, RECORD_LIST_TOO_LARGE.
    if (records.length > segmentBytes) {
      throw new KafkaError(
        ErrorCode.RECORD_LIST_TOO_LARGE,
        `Message batch size is ${records.length} bytes in append to partition ${this.topic}-${this.partition}, which exceeds the maximum configured segment size of ${segmentBytes}.`,
      );
    }
    const checked = this.producers.check(headers);
    if ('duplicateOf' in checked) {
      // The original may still be waiting for its fsync: this ack waits for the same.
      return {
        result: { baseOffset: checked.duplicateOf, logStartOffset: this.startOffset, duplicate: true, logAppendTime: -1n },
        ticket: this.durability.markWritten(),
      };
    }
    const active = this.active;
    if (active.size > 0 && (active.size + records.length > segmentBytes || next - active.baseOffset > MAX_RELATIVE_OFFSET)) await this.roll();
    for (const h of headers) setBaseOffset(records, h.position, h.baseOffset);
    try {
      this.active.append(records, headers);
    } catch (err) {
      this.options.logger?.error({ err, topic: this.topic, partition: this.partition }, 'log write failed');
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log write failed: ${(err as Error).message}`, { cause: err });
    }
    this.producers.commit(checked.staged);
    const ticket = this.durability.markWritten();
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.options.logger?.error({ err }, 'append listener threw');
      }
    }
    return { result: { baseOffset: headers[0]!.baseOffset, logStartOffset: this.startOffset, duplicate: false, logAppendTime }, ticket };
  }

  /** Closes the active segment durably and starts a new one at the log end offset. */
  private async roll(): Promise<void> {
    const old = this.active;
    // Everything written before the roll is durable once this returns, so the group sync only ever
    // needs to fsync the active segment.
    await old.sync();
    old.index.close();
    this.segments.push(Segment.create(this.dir, old.nextOffset, this.indexIntervalBytes));
    await syncDirectory(this.dir);
    await this.writeProducerSnapshot();
  }

  /**
   * Whole batches from the one containing `fetchOffset`: about `maxBytes` of them, at least one.
   * OFFSET_OUT_OF_RANGE below the log start or above the high watermark; empty at the high watermark.
   */
  read(fetchOffset: bigint, maxBytes: number): { records: Buffer; highWatermark: bigint; logStartOffset: bigint } {
    this.assertOpen();
    const highWatermark = this.highWatermark;
    const logStartOffset = this.startOffset;
    if (fetchOffset < logStartOffset || fetchOffset > highWatermark) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${logStartOffset}, ${highWatermark}] for ${this.topic}-${this.partition}`,
      );
    }
    let records: Buffer = Buffer.alloc(0);
    if (fetchOffset < highWatermark) {
      for (let i = this.segmentIndexOf(fetchOffset); i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        const position = segment.positionOf(fetchOffset);
        if (position >= 0) {
          records = segment.read(position, maxBytes);
          break;
        }
      }
    }
    return { records, highWatermark, logStartOffset };
  }

  /** The first record with timestamp >= `timestamp` (at or after the log start), or null. */
  offsetForTimestamp(timestamp: bigint): { offset: bigint; timestamp: bigint } | null {
    this.assertOpen();
    for (const segment of this.segments) {
      const found = segment.findByTimestamp(timestamp, this.startOffset);
      if (found !== undefined) return found;
    }
    return null;
  }

  /** Moves the log start offset up to `offset` (persisted) and deletes the segments wholly below it. */
  async deleteRecordsBefore(offset: bigint): Promise<bigint> {
    this.assertOpen();
    return this.serialised(async () => {
      if (offset > this.highWatermark || offset < 0n) {
        throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before ${offset}: high watermark is ${this.highWatermark}`);
      }
      if (offset <= this.startOffset) return this.startOffset;
      await writeFileAtomic(path.join(this.dir, LOG_START_CHECKPOINT), `${offset}\n`);
      this.startOffset = offset;
      let count = 0;
      while (count < this.segments.length - 1 && this.segments[count + 1]!.baseOffset <= offset) count++;
      this.deleteOldest(count, 'delete-records');
      return this.startOffset;
    });
  }

  /**
   * Deletes whole oldest segments (never the active one) older than retention.ms by their newest batch
   * timestamp, or beyond retention.bytes. Returns how many were deleted.
   */
  async enforceRetention(now: number = Date.now()): Promise<number> {
    if (this.closed) return 0;
    return this.serialised(() => {
      const { retentionMs, retentionBytes } = this.options.config();
      const closedSegments = this.segments.length - 1;
      let byTime = 0;
      if (retentionMs >= 0) {
        const cutoff = BigInt(now - retentionMs);
        while (byTime < closedSegments && this.segments[byTime]!.maxTimestamp < cutoff) byTime++;
      }
      let bySize = 0;
      if (retentionBytes >= 0) {
        let excess = this.sizeBytes - retentionBytes;
        while (bySize < closedSegments && excess - this.segments[bySize]!.size >= 0) excess -= this.segments[bySize++]!.size;
      }
      const count = Math.max(byTime, bySize);
      this.deleteOldest(count, byTime >= bySize ? 'retention.ms' : 'retention.bytes');
      return Promise.resolve(count);
    });
  }

  onAppend(listener: () => void): () => void {
    const wrapped = (): void => listener();
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  /** fsyncs writes not yet durable (the 'interval' flush policy's timer calls this). */
  async flush(): Promise<void> {
    if (this.closed || !this.durability.dirty) return;
    await this.durability.waitDurable();
  }

  /** Waits for pending appends, fsyncs, saves the producer state and closes the files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    try {
      await this.durability.waitDurable();
      await this.writeProducerSnapshot();
    } finally {
      await this.durability.idle();
      for (const segment of this.segments) segment.close();
      this.listeners.clear();
    }
  }

  private deleteOldest(count: number, reason: string): void {
    if (count <= 0) return;
    const removed = this.segments.splice(0, count);
    for (const segment of removed) segment.delete();
    const first = this.segments[0]!.baseOffset;
    if (first > this.startOffset) this.startOffset = first;
    this.options.logger?.info(
      { topic: this.topic, partition: this.partition, segments: count, reason, logStartOffset: this.startOffset.toString() },
      'deleted old segments',
    );
  }

  private segmentIndexOf(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private async writeProducerSnapshot(): Promise<void> {
    const snapshot = { offset: this.active.nextOffset.toString(), ...this.producers.toSnapshot() };
    await writeFileAtomic(path.join(this.dir, PRODUCER_SNAPSHOT), JSON.stringify(snapshot));
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${this.topic}-${this.partition} is closed`);
  }
}

function readBigIntFile(file: string): bigint | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? BigInt(text) : undefined;
  } catch {
    return undefined;
  }
}

function removeSegmentFiles(dir: string, base: bigint): void {
  const name = base.toString().padStart(20, '0');
  fs.rmSync(path.join(dir, `${name}.log`), { force: true });
  fs.rmSync(path.join(dir, `${name}.index`), { force: true });
}

/**
 * Producer state = the snapshot saved at the last roll or clean close, plus a replay of the batch
 * headers written after it; without a usable snapshot, a replay of the whole log.
 */
function loadProducerState(dir: string, segments: readonly Segment[], logEnd: bigint): ProducerStateTable {
  let table = new ProducerStateTable();
  let from = 0n;
  try {
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir, PRODUCER_SNAPSHOT), 'utf8')) as ProducerSnapshot & { offset: string };
    const offset = BigInt(snapshot.offset);
    if (offset <= logEnd) {
      table = ProducerStateTable.fromSnapshot(snapshot);
      from = offset;
    }
  } catch {
    // Missing or unreadable: replay everything.
  }
  for (const segment of segments) {
    if (segment.nextOffset <= from) continue;
    const start = segment.index.lookup(from)?.position ?? 0;
    segment.scan(start, segment.size, false, (h) => {
      if (h.baseOffset >= from) table.replay(h);
      return undefined;
    });
  }
  return table;
}
