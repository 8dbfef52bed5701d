// A token bucket (the rate limiter of the field): `capacity` tokens at most, refilled continuously at
// `ratePerSecond`. Used for the Report rate limit per (app_id, topic_id) and for failed API key lookups
// per client address. Time comes from the caller, so one clock serves every bucket of a limiter.

export class TokenBucket {
  #ratePerMs: number;
  #capacity: number;
  #tokens: number;
  #last: number;

  /** Starts full: a quiet client gets its burst at once. */
  constructor(ratePerSecond: number, capacity: number, nowMs: number) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#last = nowMs;
  }

  /** Changes the rate and the capacity, keeping the tokens earned so far (capped at the new capacity). */
  reshape(ratePerSecond: number, capacity: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#ratePerMs = ratePerSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = Math.min(this.#tokens, capacity);
  }

  /** Takes one token: 0 when taken, else the ms until one will be there (nothing is taken then). */
  take(nowMs: number): number {
    const wait = this.waitMs(nowMs);
    if (wait === 0) this.#tokens -= 1;
    return wait;
  }

  /** The ms until a token is there (0 = now), without taking it. */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) return 0;
    return this.#ratePerMs <= 0 ? Number.POSITIVE_INFINITY : Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }

  /** Whether the bucket refilled completely: such a bucket is indistinguishable from a new one and can be dropped. */
  full(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.#capacity;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#last) this.#tokens = Math.min(this.#capacity, this.#tokens + (nowMs - this.#last) * this.#ratePerMs);
    this.#last = Math.max(this.#last, nowMs);
  }
}

/**
 * Buckets by key with a bound on how many are kept: past `maxEntries` the least recently used goes (O(1)
 * per insert, whatever the key churn). Dropping a bucket only forgives its debt: a new one starts full.
 */
export class BucketMap {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get(key: string): TokenBucket | undefined {
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) {
      // Re-inserted: Map order is then least recently used first.
      this.#buckets.delete(key);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  getOrCreate(key: string, create: () => TokenBucket): TokenBucket {
    const found = this.get(key);
    if (found !== undefined) return found;
    if (this.#buckets.size >= this.#maxEntries) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
    const bucket = create();
    this.#buckets.set(key, bucket);
    return bucket;
  }

  delete(key: string): void {
    this.#buckets.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.#buckets.keys();
  }
}
