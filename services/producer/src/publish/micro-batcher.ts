// Groups concurrent Reports into shared Kafka produce requests. No linger timer: an item is flushed at
// once when a send slot is free, and items that arrive while every slot is busy wait and leave together
// in the next request (up to maxItems / maxBytes). Under light load this adds no latency; under heavy
// load it turns N acks-all round trips into a few. (kafkajs's idempotent producer already allows one
// produce request per broker at a time, so separate sends would queue behind each other anyway.)

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
}

interface Pending<T> {
  item: T;
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class MicroBatcher<T> {
  readonly #options: Required<MicroBatcherOptions<T>>;
  #queue: Pending<T>[] = [];
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: MicroBatcherOptions<T>) {
    this.#options = { maxItems: 500, maxBytes: 512 * 1024, maxInFlight: 1, ...options };
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
      const pending: Pending<T> = { item, bytes: this.#options.sizeOf(item), resolve, reject };
      this.#queue.push(pending);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.#queue.indexOf(pending);
          if (index === -1) return;
          this.#queue.splice(index, 1);
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
      const batch = this.#take();
      this.#inFlight += 1;
      void this.#send(batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        this.#wakeIfIdle();
      });
    }
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
    return this.#queue.splice(0, count);
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
