// Groups concurrent Reports into shared Kafka produce requests. An item is flushed at once when a send
// slot is free, and items that arrive while every slot is busy wait and leave together in the next
// request (up to maxItems / maxBytes). Under light load this adds no latency; under heavy load it turns N
// acks-all round trips into a few. (kafkajs's idempotent producer already allows one produce request per
// broker at a time, so separate sends would queue behind each other anyway.) At a high rate only
// (lingerRate items per second or more, decayed over ~100 ms), a batch also waits until its oldest item
// is lingerMs old, or the batch is full: several Reports per request instead of the one or two that
// arrive during a round trip, where each request costs both ends a socket write and a wake-up.
import { DecayedRate } from '@eventyard/core';

export interface MicroBatcherOptions<T> {
  /** Sends one batch; its outcome settles every item of the batch. */
  flush: (items: T[]) => Promise<void>;
  /** Byte size of an item, for maxBytes. */
  sizeOf: (item: T) => number;
  /** @default 500 */
  maxItems?: number;
  /** A single larger item still goes, alone. @default 524288 */
  maxBytes?: number;
  /** Batches being sent at once. @default 1 */
  maxInFlight?: number;
  /** How long a batch waits for company at a high rate (from its oldest item). 0 = never. @default 0 */
  lingerMs?: number;
  /** Items per second (recent arrivals) at which batches linger. @default 0 (whenever lingerMs > 0) */
  lingerRate?: number;
}

interface Pending<T> {
  item: T;
  bytes: number;
  /** performance.now() when added. */
  at: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class MicroBatcher<T> {
  readonly #options: Required<MicroBatcherOptions<T>>;
  #queue: Pending<T>[] = [];
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #rate = new DecayedRate();
  #queuedBytes = 0;
  #linger: NodeJS.Timeout | undefined;

  constructor(options: MicroBatcherOptions<T>) {
    this.#options = { maxItems: 500, maxBytes: 512 * 1024, maxInFlight: 1, lingerMs: 0, lingerRate: 0, ...options };
  }

  /** Items queued or being sent. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  /**
   * Resolves once the batch holding `item` was sent; rejects with that batch's error. Aborting `signal`
   * while the item still waits in the queue takes it out (it is never sent) and rejects with the abort
   * reason; once its batch is being sent, aborting changes nothing.
   */
  add(item: T, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const at = performance.now();
      const pending: Pending<T> = { item, bytes: this.#options.sizeOf(item), at, resolve, reject };
      this.#queue.push(pending);
      this.#queuedBytes += pending.bytes;
      if (this.#options.lingerMs > 0) this.#rate.add(1, at);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.#queue.indexOf(pending);
          if (index === -1) return;
          this.#queue.splice(index, 1);
          this.#queuedBytes -= pending.bytes;
          reject(signal.reason as Error);
          this.#wakeIfIdle();
        },
        { once: true },
      );
      this.#pump();
    });
  }

  /** Resolves when nothing is queued or in flight (used on shutdown). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      if (this.#lingering()) return;
      const batch = this.#take();
      this.#inFlight += 1;
      void this.#send(batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        this.#wakeIfIdle();
      });
    }
  }

  /** True (and a timer set to pump again) while the queue should wait for company. */
  #lingering(): boolean {
    const { lingerMs, lingerRate, maxItems, maxBytes } = this.#options;
    const oldest = this.#queue[0];
    if (lingerMs <= 0 || oldest === undefined || this.#queue.length >= maxItems || this.#queuedBytes >= maxBytes) return false;
    const now = performance.now();
    const wait = oldest.at + lingerMs - now;
    if (wait <= 0 || this.#rate.perSecond(now) < lingerRate) return false;
    if (this.#linger === undefined)
      this.#linger = setTimeout(() => {
        this.#linger = undefined;
        this.#pump();
      }, wait);
    return true;
  }

  #wakeIfIdle(): void {
    if (this.#queue.length > 0 || this.#inFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #take(): Pending<T>[] {
    let bytes = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && (count >= this.#options.maxItems || bytes + pending.bytes > this.#options.maxBytes)) break;
      bytes += pending.bytes;
      count += 1;
    }
    const batch = this.#queue.splice(0, count);
    this.#queuedBytes -= bytes;
    return batch;
  }

  async #send(batch: Pending<T>[]): Promise<void> {
    try {
      await this.#options.flush(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
