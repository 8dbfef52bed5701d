// The asynchronous side of one processor's breaker, on its delivery path: every attempt passes the gate
// once it holds a concurrency slot (so no attempt queued for a slot while the breaker was closed slips
// through after it opened). Closed, the gate is a synchronous check. Open, attempts wait here (in FIFO
// order, at most `concurrency` of them; the others queue for a slot) instead of failing and burning
// their retries; their records stay uncommitted, and once the partition's in-flight window is full the
// consumer stops fetching, so the rest wait in the delivery topic, as when the processor is paused. When the probe is due, the oldest
// waiter (or the next arrival) runs as the one probe; its result closes the breaker (everyone passes) or
// reopens it with a longer wait.
import type { CircuitBreakerConfig } from '@eventyard/evhub';
import type { Clock, TimerHandle } from '../limits/clock.ts';
import { onAbort } from '../limits/abort-hooks.ts';
import { WaiterList } from '../limits/waiter-list.ts';
import type { AttemptOutcome } from '../outcome/index.ts';
import { CircuitBreaker, type BreakerEvent, type BreakerSnapshot, type BreakerState } from './circuit-breaker.ts';

/** An admitted attempt: report how it went (once), or that it never ran. */
export interface BreakerPass {
  /** This attempt is the half-open probe. */
  readonly probe: boolean;
  done(outcome: AttemptOutcome): void;
  /** The attempt did not run or its result is unknown (shutdown, a bug): counts for nothing. */
  abandon(): void;
}

export interface BreakerGateOptions {
  dispatcherId: string;
  config: () => CircuitBreakerConfig;
  /** Wall-clock time and timers. */
  clock: Clock;
  /** Every transition and auto-pause request, with the breaker's state after it. */
  onEvent: (event: BreakerEvent, snapshot: BreakerSnapshot) => void;
  /** Called when the number of waiting attempts changed. */
  onWaiting?: (waiting: number) => void;
}

interface GateWaiter {
  resolve(pass: BreakerPass): void;
}

/**
 * Whether an outcome counts against the endpoint's health: failures another attempt might fix
 * (timeouts, transport errors, 5xx, 429, gRPC UNAVAILABLE, a retriable `ret.code`). A non-retriable
 * refusal (HTTP 400, an egress refusal) or a 30000 cancel is the endpoint answering on purpose.
 */
export function failureOf(outcome: AttemptOutcome): string | null {
  if (outcome.outcome !== 'failure' || !outcome.retriable) return null;
  const code = outcome.errorCode === undefined ? 'failure' : String(outcome.errorCode);
  return outcome.errorMessage === undefined || outcome.errorMessage === '' ? code : `${code}: ${outcome.errorMessage.slice(0, 200)}`;
}

export class BreakerGate {
  readonly dispatcherId: string;
  readonly #options: BreakerGateOptions;
  readonly #breaker: CircuitBreaker;
  readonly #waiters = new WaiterList<GateWaiter>();
  #timer: TimerHandle | undefined;
  #timerAt: number | null = null;
  #closed = false;

  constructor(options: BreakerGateOptions) {
    this.dispatcherId = options.dispatcherId;
    this.#options = options;
    this.#breaker = new CircuitBreaker({
      config: options.config,
      now: () => options.clock.now(),
      emit: (event) => options.onEvent(event, this.#breaker.snapshot()),
    });
  }

  get state(): BreakerState {
    return this.#breaker.state;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  snapshot(): BreakerSnapshot {
    return this.#breaker.snapshot();
  }

  /** The pass at once when the attempt may start now (nobody waits before it), else null: then enter(). */
  tryEnter(): BreakerPass | null {
    if (this.#waiters.size > 0) return null;
    const admission = this.#breaker.admit();
    return admission === 'wait' ? null : this.#pass(admission === 'probe');
  }

  /** Resolves when the attempt may start; rejects with the signal's reason when it aborts first. */
  enter(signal: AbortSignal): Promise<BreakerPass> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    // Waiters keep their order: a newcomer passes at once only when nobody waits before it.
    const now = this.tryEnter();
    if (now !== null) return Promise.resolve(now);
    return new Promise<BreakerPass>((resolve, reject) => {
      const node = this.#waiters.push({
        resolve: (pass) => {
          unhook();
          resolve(pass);
        },
      });
      const unhook = onAbort(signal, () => {
        this.#waiters.remove(node);
        this.#waitingChanged();
        reject(signal.reason as Error);
      });
      this.#waitingChanged();
      this.#pump();
    });
  }

  /** Re-reads the config (it changed): a breaker disabled meanwhile closes and lets its waiters go at once. */
  refresh(): void {
    this.#pump();
  }

  /** The processor was resumed after a pause: its failure run starts afresh. */
  forgetFailures(): void {
    this.#breaker.forgetFailures();
  }

  /** Stops the probe timer (the processor was deleted or the service stops); waiters leave by their signals. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #pass(probe: boolean): BreakerPass {
    let settled = false;
    return {
      probe,
      done: (outcome) => {
        if (settled) return;
        settled = true;
        this.#breaker.record({ probe, failure: failureOf(outcome) });
        this.#pump();
      },
      abandon: () => {
        if (settled) return;
        settled = true;
        if (probe) this.#breaker.releaseProbe();
        this.#pump();
      },
    };
  }

  /** Lets waiters through as far as the breaker admits them, then arms the timer of the next probe. */
  #pump(): void {
    let released = false;
    while (this.#waiters.size > 0) {
      const admission = this.#breaker.admit();
      if (admission === 'wait') break;
      const first = this.#waiters.shift();
      released = true;
      first?.resolve(this.#pass(admission === 'probe'));
    }
    if (released) this.#waitingChanged();
    this.#arm(this.#breaker.tick());
  }

  #arm(dueAt: number | null): void {
    if (this.#closed || dueAt === this.#timerAt) return;
    this.#clearTimer();
    if (dueAt === null) return;
    this.#timerAt = dueAt;
    // Also moves an open breaker without waiters to half_open on time, so its state reads right.
    this.#timer = this.#options.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = null;
        this.#pump();
      },
      Math.max(0, dueAt - this.#options.clock.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = null;
  }

  #waitingChanged(): void {
    this.#options.onWaiting?.(this.#waiters.size);
  }
}
