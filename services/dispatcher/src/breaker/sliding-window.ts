// Attempts and failures of the last `windowMs`, in a ring of time buckets (as resilience4j's time-based
// window), so recording and reading cost O(buckets) whatever the attempt rate; the window's edge is
// accurate to one bucket (a sixtieth of the window).

const BUCKETS = 60;

export class SlidingWindow {
  readonly windowMs: number;
  readonly #bucketMs: number;
  readonly #calls = new Array<number>(BUCKETS).fill(0);
  readonly #failures = new Array<number>(BUCKETS).fill(0);
  /** Bucket number (time / bucketMs) each slot holds. */
  readonly #epochs = new Array<number>(BUCKETS).fill(-1);

  constructor(windowMs: number) {
    this.windowMs = windowMs;
    this.#bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
  }

  record(nowMs: number, failed: boolean): void {
    const epoch = Math.floor(nowMs / this.#bucketMs);
    const slot = epoch % BUCKETS;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#calls[slot] = 0;
      this.#failures[slot] = 0;
    }
    this.#calls[slot] = (this.#calls[slot] ?? 0) + 1;
    if (failed) this.#failures[slot] = (this.#failures[slot] ?? 0) + 1;
  }

  /** Attempts and failures recorded within the window ending at `nowMs`. */
  counts(nowMs: number): { calls: number; failures: number } {
    const newest = Math.floor(nowMs / this.#bucketMs);
    let calls = 0;
    let failures = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      const epoch = this.#epochs[slot] ?? -1;
      if (epoch > newest - BUCKETS && epoch <= newest) {
        calls += this.#calls[slot] ?? 0;
        failures += this.#failures[slot] ?? 0;
      }
    }
    return { calls, failures };
  }

  clear(): void {
    this.#epochs.fill(-1);
  }
}
