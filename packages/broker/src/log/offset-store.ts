// Committed consumer-group offsets, persisted as an append-only journal of JSON lines
// (`offsets.journal`), fsynced (group commit) before commit() resolves, and compacted into a fresh
// journal holding only the live state once it has grown well past it. A torn last line is dropped on open.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { GroupSync } from './group-sync.ts';

const fdatasync = promisify(fs.fdatasync);
const JOURNAL = 'offsets.journal';

export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

export interface OffsetEntry extends CommittedOffset {
  topic: string;
  partition: number;
}

type JournalEntry = [topic: string, partition: number, offset: string, metadata: string | null];
type JournalRecord = { c: [group: string, entries: JournalEntry[]] } | { dg: string } | { dt: string };

export interface OffsetStoreOptions {
  /** Compact once the journal is larger than this and 4x the live state. @default 4194304 */
  compactAfterBytes?: number;
  logger?: Logger;
}

export class OffsetStore {
  private readonly file: string;
  private readonly compactAfterBytes: number;
  private readonly logger: Logger | undefined;
  /** group → topic → partition → committed offset */
  private readonly state = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private fd: number;
  private size: number;
  private readonly durability: GroupSync;
  private compacting = false;
  /** Size of the journal right after the last compaction: the live state, roughly. */
  private compactedSize = 0;
  private closed = false;

  private constructor(file: string, fd: number, size: number, options: OffsetStoreOptions) {
    this.file = file;
    this.fd = fd;
    this.size = size;
    this.compactAfterBytes = options.compactAfterBytes ?? 4 * 1024 * 1024;
    this.logger = options.logger;
    this.durability = new GroupSync(() => fdatasync(this.fd));
  }

  /** Loads the journal in `dir` (created if absent), dropping a torn last line. */
  static open(dir: string, options: OffsetStoreOptions = {}): OffsetStore {
    const file = path.join(dir, JOURNAL);
    fs.rmSync(`${file}.tmp`, { force: true });
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const content = fs.readFileSync(fd);
    const valid = content.lastIndexOf(0x0a) + 1;
    const store = new OffsetStore(file, fd, valid, options);
    if (valid < content.length) {
      options.logger?.warn({ file, bytes: content.length - valid }, 'dropped a torn offset journal tail');
      fs.ftruncateSync(fd, valid);
      fs.fdatasyncSync(fd);
    }
    for (const line of content.subarray(0, valid).toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      try {
        store.apply(JSON.parse(line) as JournalRecord);
      } catch (err) {
        options.logger?.warn({ err, file }, 'skipped an unreadable offset journal line');
      }
    }
    return store;
  }

  /** Stores the offsets; resolves once they are durable. */
  async commit(group: string, entries: ReadonlyArray<OffsetEntry>): Promise<void> {
    if (entries.length === 0) return;
    await this.write({ c: [group, entries.map((e) => [e.topic, e.partition, e.offset.toString(), e.metadata])] });
  }

  fetch(group: string, topic: string, partition: number): CommittedOffset | undefined {
    const found = this.state.get(group)?.get(topic)?.get(partition);
    return found === undefined ? undefined : { ...found };
  }

  fetchAll(group: string): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const [topic, partitions] of this.state.get(group) ?? []) {
      for (const [partition, c] of partitions) out.push({ topic, partition, offset: c.offset, metadata: c.metadata });
    }
    return out;
  }

  /** Groups that have committed offsets. */
  groups(): string[] {
    return [...this.state.keys()];
  }

  async deleteGroup(group: string): Promise<void> {
    if (!this.state.has(group)) return;
    await this.write({ dg: group });
  }

  async deleteTopic(topic: string): Promise<void> {
    if (![...this.state.values()].some((topics) => topics.has(topic))) return;
    await this.write({ dt: topic });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.durability.waitDurable();
    await this.durability.idle();
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private async write(record: JournalRecord): Promise<void> {
    if (this.closed) throw new Error('offset store is closed');
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    let written = 0;
    while (written < line.length) written += fs.writeSync(this.fd, line, written, line.length - written, this.size + written);
    this.size += line.length;
    // Applied in write order; readers may see it a moment before it is durable, as Kafka's cache does.
    this.apply(record);
    const ticket = this.durability.markWritten();
    // The compacted journal is written from memory, which already holds this record, and fsynced.
    await this.maybeCompact();
    await this.durability.waitDurable(ticket);
  }

  /**
   * Rewrites the journal as the live state (temp file, fsync, rename) when it has grown well past it.
   * Runs only when no fsync is in flight on the old descriptor, and synchronously from then on, so no
   * write can land in the replaced file.
   */
  private async maybeCompact(): Promise<void> {
    if (this.compacting || this.size < Math.max(this.compactAfterBytes, this.compactedSize * 4)) return;
    this.compacting = true;
    try {
      while (this.durability.busy) await this.durability.idle();
      const content = this.snapshotLines();
      const tmp = `${this.file}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o644);
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
      fs.renameSync(tmp, this.file);
      const dirFd = fs.openSync(path.dirname(this.file), 'r');
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
      fs.closeSync(this.fd);
      this.fd = fd;
      this.size = content.length;
      this.compactedSize = content.length;
      this.logger?.info({ bytes: content.length }, 'compacted the offset journal');
    } finally {
      this.compacting = false;
    }
  }

  private snapshotLines(): Buffer {
    const lines: string[] = [];
    for (const group of this.state.keys()) {
      const entries = this.fetchAll(group).map((e): JournalEntry => [e.topic, e.partition, e.offset.toString(), e.metadata]);
      lines.push(`${JSON.stringify({ c: [group, entries] })}\n`);
    }
    return Buffer.from(lines.join(''));
  }

  private apply(record: JournalRecord): void {
    if ('c' in record) {
      const [group, entries] = record.c;
      let topics = this.state.get(group);
      if (topics === undefined) this.state.set(group, (topics = new Map<string, Map<number, CommittedOffset>>()));
      for (const [topic, partition, offset, metadata] of entries) {
        let partitions = topics.get(topic);
        if (partitions === undefined) topics.set(topic, (partitions = new Map<number, CommittedOffset>()));
        partitions.set(partition, { offset: BigInt(offset), metadata });
      }
    } else if ('dg' in record) {
      this.state.delete(record.dg);
    } else {
      for (const [group, topics] of this.state) {
        topics.delete(record.dt);
        if (topics.size === 0) this.state.delete(group);
      }
    }
  }
}
