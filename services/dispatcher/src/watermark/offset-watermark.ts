// The commit point of one partition whose messages are dispatched in parallel: Kafka commits "the
// next offset to read", so it may only move up to the lowest offset still being worked on. A slow
// message holds the commit back (it must be re-read after a crash) but never holds back the work.
// In-flight offsets live in a Set, their order in a min-heap with lazy deletion: track and complete
// are O(log n), committable() is O(1).
import { BigIntMinHeap } from './bigint-heap.ts';

export class OffsetWatermark {
  readonly #inFlight = new Set<bigint>();
  readonly #order = new BigIntMinHeap();
  #highestCompleted: bigint | null = null;

  /** Offsets tracked and not yet completed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The lowest offset still in flight, or null. */
  get lowestInFlight(): bigint | null {
    return this.#order.peek() ?? null;
  }

  /**
   * Starts tracking `offset` (a message handed to a worker). Gaps are fine (compaction, transaction
   * markers). Returns false when it is already in flight, e.g. a batch re-delivered after an error.
   */
  track(offset: bigint): boolean {
    assertOffset(offset);
    if (this.#inFlight.has(offset)) return false;
    this.#inFlight.add(offset);
    this.#order.push(offset);
    return true;
  }

  /**
   * Marks `offset` finished (its outcome recorded or handed on). Returns false for an offset that is
   * not in flight, such as a late completion after reset() on a revoked partition; it is ignored.
   */
  complete(offset: bigint): boolean {
    if (!this.#inFlight.delete(offset)) return false;
    if (this.#highestCompleted === null || offset > this.#highestCompleted) this.#highestCompleted = offset;
    // Keep the heap's top in flight, so committable() never scans.
    const order = this.#order;
    for (let top = order.peek(); top !== undefined && !this.#inFlight.has(top); top = order.peek()) order.pop();
    return true;
  }

  /**
   * The offset to commit: the lowest unfinished offset, or the highest completed + 1 when nothing is
   * unfinished; null before anything was tracked.
   */
  committable(): bigint | null {
    const lowest = this.#order.peek();
    if (lowest !== undefined) return lowest;
    return this.#highestCompleted === null ? null : this.#highestCompleted + 1n;
  }

  /** Forgets everything, e.g. when the partition is revoked or the consumer seeks. */
  reset(): void {
    this.#inFlight.clear();
    this.#order.clear();
    this.#highestCompleted = null;
  }
}

function assertOffset(offset: bigint): void {
  if (typeof offset !== 'bigint' || offset < 0n) throw new RangeError(`offset must be a non-negative bigint, got ${String(offset)}`);
}
