// A token bucket for broadcast fan-out: at most `ratePerS` tasks per second on average, bursts up to
// `burst`. One per router instance, shared by every partition it routes, so the limit is per instance.
export interface RatePacerOptions {
  /** Tasks per second; 0 = unlimited. */
  ratePerS: number;
  /** Bucket size: how many tasks may go at once after a quiet spell. */
  burst: number;
  /** @default performance.now */
  now?: () => number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

export class RatePacer {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tokens: number;
  #at: number;
  /** Takers queue up, so concurrent partitions share the rate fairly instead of racing for tokens. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: RatePacerOptions) {
    this.#rate = options.ratePerS;
    this.#burst = Math.max(1, options.burst);
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#tokens = this.#burst;
    this.#at = this.#now();
  }

  /** Resolves once `count` tasks may be sent. A count above the burst goes once the bucket is full. */
  take(count: number): Promise<void> {
    if (this.#rate === 0 || count <= 0) return Promise.resolve();
    const turn = this.#queue.then(() => this.#take(Math.min(count, this.#burst)));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #take(count: number): Promise<void> {
    for (;;) {
      const now = this.#now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
      this.#at = now;
      if (this.#tokens >= count) {
        this.#tokens -= count;
        return;
      }
      await this.#sleep(Math.ceil(((count - this.#tokens) * 1000) / this.#rate));
    }
  }
}
