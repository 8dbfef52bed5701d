// How busy something has been lately, as a rate: each arrival adds to a value that decays exponentially
// with a time constant, so a steady r per second reads r after a few time constants and a stop fades
// within a few. For callers that choose a batching window by rate (the producer's micro-batcher). Our
// kafkajs patch keeps its own per broker for its fetch windows (plain JS inside node_modules, so it cannot
// import this), and decays the elapsed time as well as the records, because it sees arrivals only in
// fetch answers, some of which waited out a window. Two numbers and one Math.exp per call: cheaper than a
// window of timestamps, and no timer.

/** Arrivals per second, exponentially decayed with `timeConstantMs`. */
export class DecayedRate {
  readonly #timeConstantMs: number;
  /** Arrivals per millisecond at #at. */
  #perMs = 0;
  #at = 0;

  constructor(timeConstantMs = 100) {
    this.#timeConstantMs = timeConstantMs;
  }

  /** Counts `count` arrivals at `now` (performance.now() milliseconds). */
  add(count: number, now: number = performance.now()): void {
    this.#decay(now);
    this.#perMs += count / this.#timeConstantMs;
  }

  /** The rate at `now`, per second. */
  perSecond(now: number = performance.now()): number {
    this.#decay(now);
    return this.#perMs * 1000;
  }

  #decay(now: number): void {
    const elapsed = now - this.#at;
    if (elapsed <= 0) return;
    this.#perMs *= Math.exp(-elapsed / this.#timeConstantMs);
    this.#at = now;
  }
}
