// One OffsetWatermark per assigned topic-partition, and the commits that are due: a partition appears
// in pendingCommits() only when its committable offset moved past what was last committed, in the
// string form kafkajs `commitOffsets` takes.
import { OffsetWatermark } from './offset-watermark.ts';

export interface PendingCommit {
  readonly topic: string;
  readonly partition: number;
  /** Decimal offset, as kafkajs wants it. */
  readonly offset: string;
}

interface Entry {
  readonly topic: string;
  readonly partition: number;
  readonly watermark: OffsetWatermark;
  committed: bigint | null;
}

export class PartitionWatermarks {
  readonly #entries = new Map<string, Entry>();

  /** The watermark of a partition, created on first use. */
  of(topic: string, partition: number): OffsetWatermark {
    const key = `${partition}:${topic}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { topic, partition, watermark: new OffsetWatermark(), committed: null };
      this.#entries.set(key, entry);
    }
    return entry.watermark;
  }

  /** Forgets a partition (revoked); late completions on the old watermark are then harmless. */
  drop(topic: string, partition: number): void {
    const entry = this.#entries.get(`${partition}:${topic}`);
    entry?.watermark.reset();
    this.#entries.delete(`${partition}:${topic}`);
  }

  /** Offsets that advanced since the last markCommitted of their partition. */
  pendingCommits(): PendingCommit[] {
    const due: PendingCommit[] = [];
    for (const entry of this.#entries.values()) {
      const offset = entry.watermark.committable();
      if (offset !== null && (entry.committed === null || offset > entry.committed)) {
        due.push({ topic: entry.topic, partition: entry.partition, offset: offset.toString() });
      }
    }
    return due;
  }

  /** Records that `commits` were committed (call after commitOffsets resolved). */
  markCommitted(commits: readonly PendingCommit[]): void {
    for (const commit of commits) {
      const entry = this.#entries.get(`${commit.partition}:${commit.topic}`);
      if (entry === undefined) continue;
      const offset = BigInt(commit.offset);
      if (entry.committed === null || offset > entry.committed) entry.committed = offset;
      entry.watermark.committed(entry.committed);
    }
  }

  /** Messages in flight over all partitions. */
  get inFlight(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.watermark.inFlight;
    return total;
  }
}
