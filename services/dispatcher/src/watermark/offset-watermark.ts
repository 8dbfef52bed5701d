// The commit point of one partition whose messages are dispatched in parallel: Kafka commits "the
// next offset to read", so it may only move up to the lowest offset still being worked on. A slow
// message holds the commit back (it must be re-read after a crash) but never holds back the work.
// In-flight offsets live in a Map, their order in a min-heap with lazy deletion: track and complete
// are O(log n), committable() is O(1).
//
// Finished offsets are remembered until a commit covers them. A consumer that rejoins its group with the
// same partitions (the broker restarted, a session timed out) is fetched again from the last committed
// offset, and without this it would deliver everything it finished since a second time. Each offset is
// remembered with a fingerprint of its record (timestamp, key, size): the same offset holding another
// record means the log was truncated and written again (an unclean broker restart), and that record is
// new work, not a repeat.
//
// A record whose work was cancelled before it started (its partition is being revoked) is released: it
// still holds the commit back, as it was never done, but it is no longer worked on, so the next fetch of
// it (after the rejoin, when the partition stayed here) tracks it again instead of skipping it.
import { FinishedOffsets } from '@eventyard/core';
import { BigIntMinHeap } from './bigint-heap.ts';

export class OffsetWatermark {
  /** offset → fingerprint of its record */
  readonly #inFlight = new Map<bigint, string>();
  readonly #order = new BigIntMinHeap();
  #highestCompleted: bigint | null = null;
  /** Finished offsets not yet covered by a commit, with their records' fingerprints. */
  readonly #finished = new FinishedOffsets();
  /** In-flight offsets whose work was cancelled: commit barriers, tracked again when fetched again. */
  readonly #released = new Set<bigint>();

  /** Offsets tracked and being worked on (neither completed nor released). */
  get inFlight(): number {
    return this.#inFlight.size - this.#released.size;
  }

  /** The lowest offset still in flight, or null. */
  get lowestInFlight(): bigint | null {
    return this.#order.peek() ?? null;
  }

  /**
   * Starts tracking `offset` (a message handed to a worker). Gaps are fine (compaction, transaction
   * markers). Returns false, and the message must not be worked on again, when it is already in flight
   * (a batch re-delivered after an error) or already finished with the same `fingerprint` (fetched again
   * from an older committed offset). A released offset is tracked again.
   */
  track(offset: bigint, fingerprint = ''): boolean {
    assertOffset(offset);
    if (this.#released.delete(offset)) {
      this.#inFlight.set(offset, fingerprint);
      return true;
    }
    if (this.#inFlight.has(offset) || this.#finished.has(offset, fingerprint)) return false;
    this.#inFlight.set(offset, fingerprint);
    this.#order.push(offset);
    return true;
  }

  /**
   * Marks `offset` finished (its outcome recorded or handed on). Returns false for an offset that is
   * not in flight, such as a late completion after reset() on a revoked partition; it is ignored.
   */
  complete(offset: bigint): boolean {
    const fingerprint = this.#inFlight.get(offset);
    if (fingerprint === undefined) return false;
    this.#inFlight.delete(offset);
    this.#released.delete(offset);
    this.#finished.add(offset, fingerprint);
    if (this.#highestCompleted === null || offset > this.#highestCompleted) this.#highestCompleted = offset;
    // Keep the heap's top in flight, so committable() never scans.
    const order = this.#order;
    for (let top = order.peek(); top !== undefined && !this.#inFlight.has(top); top = order.peek()) order.pop();
    return true;
  }

  /**
   * Marks the in-flight `offset` as no longer worked on, though not done (its work was cancelled before
   * it started): the commit stays below it, and track() accepts it again. False when not in flight.
   */
  release(offset: bigint): boolean {
    if (!this.#inFlight.has(offset)) return false;
    this.#released.add(offset);
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

  /** Finished offsets remembered for re-fetches (below the next commit). */
  get finishedUncommitted(): number {
    return this.#finished.size;
  }

  /** A commit of `offset` (the next offset to read) went through: finished offsets below it are forgotten. */
  committed(offset: bigint): void {
    this.#finished.forgetBelow(offset);
  }

  /** Forgets everything, e.g. when the partition is revoked or the consumer seeks. */
  reset(): void {
    this.#inFlight.clear();
    this.#released.clear();
    this.#finished.clear();
    this.#order.clear();
    this.#highestCompleted = null;
  }
}

function assertOffset(offset: bigint): void {
  if (typeof offset !== 'bigint' || offset < 0n) throw new RangeError(`offset must be a non-negative bigint, got ${String(offset)}`);
}
