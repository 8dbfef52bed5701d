// Bounds how many deliveries of one processor run at once (an async semaphore), so a slow consumer
// ties up at most `limit` slots and its backlog waits in a bounded FIFO instead of piling up calls.
// A released slot goes straight to the oldest waiter, so late arrivals cannot overtake the queue.
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { limiterClosed, limiterQueueFull } from './limiter-errors.ts';
import { enqueue, type WaitOptions, type Waiter } from './wait.ts';
import { WaiterList } from './waiter-list.ts';

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export interface ConcurrencyLimiterOptions {
  /** Slots; a positive integer, or Infinity for no limit. */
  readonly limit: number;
  /** Waiters beyond this are refused with EY_LIMITER_QUEUE_FULL. @default Infinity */
  readonly maxQueue?: number;
  /** Clock for `timeoutMs` waits. @default systemClock */
  readonly clock?: Clock;
  /** Name used in error messages. @default "concurrency limiter" */
  readonly name?: string;
}

export class ConcurrencyLimiter {
  readonly #waiters = new WaiterList<Waiter<Release>>();
  readonly #maxQueue: number;
  readonly #clock: Clock;
  readonly #name: string;
  #limit: number;
  #active = 0;
  #closed = false;

  constructor(options: ConcurrencyLimiterOptions) {
    this.#limit = checkLimit(options.limit);
    this.#maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxQueue >= 0)) throw new RangeError(`maxQueue must be >= 0, got ${this.#maxQueue}`);
    this.#clock = options.clock ?? systemClock;
    this.#name = options.name ?? 'concurrency limiter';
  }

  get limit(): number {
    return this.#limit;
  }

  /** Slots in use. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.#waiters.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits for a slot and resolves with its release function. Rejects with EY_LIMITER_QUEUE_FULL when
   * the queue is full, EY_LIMITER_CLOSED after close(), EY_LIMITER_TIMEOUT after `timeoutMs`, or the
   * signal's reason on abort.
   */
  acquire(options: WaitOptions = {}): Promise<Release> {
    if (this.#closed) return Promise.reject(limiterClosed(this.#name));
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason as Error);
    const release = this.tryAcquire();
    if (release !== null) return Promise.resolve(release);
    if (this.#waiters.size >= this.#maxQueue) return Promise.reject(limiterQueueFull(this.#name, this.#maxQueue));
    return enqueue(this.#waiters, this.#clock, this.#name, options, () => {});
  }

  /** Takes a slot if one is free and nobody is queued, else returns null. */
  tryAcquire(): Release | null {
    if (this.#closed || this.#active >= this.#limit || this.#waiters.size > 0) return null;
    this.#active++;
    return this.#releaser();
  }

  /** Changes the number of slots (processor config changed); a larger limit admits waiters at once. */
  setLimit(limit: number): void {
    this.#limit = checkLimit(limit);
    this.#grant();
  }

  /** Rejects every waiter and every later acquire with EY_LIMITER_CLOSED; held slots may still be released. */
  close(reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      waiter.reject(limiterClosed(this.#name, reason));
    }
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#grant();
    };
  }

  #grant(): void {
    while (!this.#closed && this.#active < this.#limit) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) return;
      this.#active++;
      waiter.resolve(this.#releaser());
    }
  }
}

function checkLimit(limit: number): number {
  if (limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1)) return limit;
  throw new RangeError(`limit must be a positive integer or Infinity, got ${limit}`);
}
