// A token bucket for a processor's `flow_control_strategy.qps`: `qps` tokens per second, at most
// `burst` (default max(1, qps)) saved up, starting full. Waiters queue FIFO and one timer, armed for
// the moment the oldest waiter's token will exist, wakes them: no polling, no busy loop.
// qps 0 (or absent) means unlimited.
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { limiterClosed, limiterQueueFull } from './limiter-errors.ts';
import { enqueue, type WaitOptions, type Waiter } from './wait.ts';
import { WaiterList } from './waiter-list.ts';

export interface RateLimiterOptions {
  /** Tokens per second; 0 or absent = unlimited. Fractions allowed (0.5 = one every 2 s). @default 0 */
  readonly qps?: number;
  /** Largest number of tokens saved up. @default max(1, qps) */
  readonly burst?: number;
  /** Waiters beyond this are refused with EY_LIMITER_QUEUE_FULL. @default Infinity */
  readonly maxQueue?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Name used in error messages. @default "rate limiter" */
  readonly name?: string;
}

// Refill arithmetic in floating point can land a hair below a whole token.
const EPSILON = 1e-9;

export class RateLimiter {
  readonly #waiters = new WaiterList<Waiter<void>>();
  readonly #maxQueue: number;
  readonly #clock: Clock;
  readonly #name: string;
  #qps = 0;
  #burst = 1;
  #tokens = 0;
  #refilledAt: number;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: RateLimiterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#name = options.name ?? 'rate limiter';
    this.#maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxQueue >= 0)) throw new RangeError(`maxQueue must be >= 0, got ${this.#maxQueue}`);
    this.#refilledAt = this.#clock.now();
    this.#configure(options.qps ?? 0, options.burst);
    this.#tokens = this.#burst;
  }

  /** Tokens per second; 0 = unlimited. */
  get qps(): number {
    return this.#qps;
  }

  get burst(): number {
    return this.#burst;
  }

  /** Callers waiting for a token. */
  get queued(): number {
    return this.#waiters.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves when a token is available (at once when unlimited). Rejects with EY_LIMITER_QUEUE_FULL,
   * EY_LIMITER_CLOSED, EY_LIMITER_TIMEOUT after `timeoutMs`, or the signal's reason on abort.
   */
  take(options: WaitOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(limiterClosed(this.#name));
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason as Error);
    if (this.tryTake()) return Promise.resolve();
    if (this.#waiters.size >= this.#maxQueue) return Promise.reject(limiterQueueFull(this.#name, this.#maxQueue));
    const waiting = enqueue(this.#waiters, this.#clock, this.#name, options, () => this.#rearm());
    this.#arm();
    return waiting;
  }

  /** Takes a token if one is available and nobody is queued. */
  tryTake(): boolean {
    if (this.#closed) return false;
    if (this.#qps === 0) return true;
    if (this.#waiters.size > 0) return false;
    this.#refill();
    if (this.#tokens + EPSILON < 1) return false;
    this.#tokens = Math.max(0, this.#tokens - 1);
    return true;
  }

  /** Changes the rate (processor config changed); saved tokens are kept up to the new burst. */
  setQps(qps: number, burst?: number): void {
    this.#refill();
    this.#configure(qps, burst);
    this.#tokens = Math.min(this.#tokens, this.#burst);
    this.#rearm();
  }

  /** Rejects every waiter and every later take with EY_LIMITER_CLOSED. */
  close(reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      waiter.reject(limiterClosed(this.#name, reason));
    }
  }

  #configure(qps: number, burst: number | undefined): void {
    if (!Number.isFinite(qps) || qps < 0) throw new RangeError(`qps must be a finite number >= 0, got ${qps}`);
    const effectiveBurst = burst ?? Math.max(1, qps);
    if (!Number.isFinite(effectiveBurst) || effectiveBurst < 1) throw new RangeError(`burst must be a finite number >= 1, got ${effectiveBurst}`);
    this.#qps = qps;
    this.#burst = effectiveBurst;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#refilledAt;
    this.#refilledAt = now;
    if (elapsed > 0 && this.#qps > 0) this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#qps) / 1000);
  }

  /** Grants what can be granted now, then sleeps until the next waiter's token is due. */
  #wake(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#qps === 0) {
      for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) waiter.resolve();
      return;
    }
    this.#refill();
    while (this.#waiters.size > 0 && this.#tokens + EPSILON >= 1) {
      this.#tokens = Math.max(0, this.#tokens - 1);
      this.#waiters.shift()?.resolve();
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#closed || this.#waiters.size === 0) return;
    if (this.#qps === 0) {
      this.#timer = this.#clock.setTimeout(() => this.#wake(), 0);
      return;
    }
    this.#refill();
    const missing = Math.max(0, 1 - this.#tokens);
    // Round up so the timer never fires a fraction early and has to re-arm for nothing.
    const delayMs = Math.max(1, Math.ceil((missing * 1000) / this.#qps - EPSILON));
    this.#timer = this.#clock.setTimeout(() => this.#wake(), delayMs);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #rearm(): void {
    this.#disarm();
    this.#arm();
  }
}
