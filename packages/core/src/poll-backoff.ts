// How long a loop that polls for work waits before its next look: the short interval while it finds
// work, doubling after each empty look up to a longer one. An idle stack then asks Postgres rarely,
// and work that arrives is still found within the longer interval at worst; callers that learn of work
// in-process (a Commit, a consumed timer, a created replay job) look at once and start short again.

/** Waits of a polling loop: `minMs` after a look that found work, doubling after each empty one up to `maxMs`. */
export class PollBackoff {
  readonly minMs: number;
  readonly maxMs: number;
  #next: number;

  /** `maxMs` below `minMs` is taken as `minMs` (no backoff). */
  constructor(minMs: number, maxMs: number) {
    this.minMs = minMs;
    this.maxMs = Math.max(minMs, maxMs);
    this.#next = minMs;
  }

  /** The wait after a look that found work (`true`) or nothing (`false`). */
  after(foundWork: boolean): number {
    if (foundWork) {
      this.#next = this.minMs;
      return this.minMs;
    }
    const wait = this.#next;
    this.#next = Math.min(this.maxMs, this.#next * 2);
    return wait;
  }

  /** Work is known to be coming (a wake-up): the next empty look waits `minMs` again. */
  reset(): void {
    this.#next = this.minMs;
  }
}
