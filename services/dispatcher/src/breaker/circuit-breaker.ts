// One processor's circuit breaker, as a synchronous state machine over an injected clock (tests drive
// time by hand). closed: every attempt may start; a run of failures (consecutive_failures in a row, or
// failure_ratio_percent of at least min_calls attempts within window_ms) opens it. open: no attempt
// starts until the next probe is due (probe_interval_ms, doubled after every failed probe, capped at
// max_probe_interval_ms); then half_open: exactly one attempt, the probe, may run; its success closes
// the breaker, its failure opens it again with the longer wait. Independently of the state, an endpoint
// that failed without a single success for auto_pause_after_ms asks once for the processor to be paused.
// Hand-written rather than taken from a library (opossum, cockatiel): those wrap a function call and
// fail the call fast when open, while here an open breaker must hold the delivery back (it waits in
// Kafka, keeping its retries), and the state must be observable and persisted per transition.
import type { CircuitBreakerConfig } from '@eventyard/evhub';
import { SlidingWindow } from './sliding-window.ts';

export const BreakerStates = { closed: 'closed', open: 'open', halfOpen: 'half_open' } as const;
export type BreakerState = (typeof BreakerStates)[keyof typeof BreakerStates];

export type BreakerEvent =
  | { readonly kind: 'transition'; readonly from: BreakerState; readonly to: BreakerState; readonly at: number; readonly reason: string }
  | { readonly kind: 'auto_pause'; readonly at: number; readonly failingSince: number; readonly reason: string };

/** What an attempt that asked to start may do. */
export type Admission = 'pass' | 'probe' | 'wait';

export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** When the current state began (ms, the clock's time). */
  readonly since: number;
  /** First failure of the current run without a success; null when the last result was a success. */
  readonly failingSince: number | null;
  readonly lastFailureAt: number | null;
  readonly lastFailure: string | null;
  /** When open: the time the next probe may start. */
  readonly nextProbeAt: number | null;
  readonly consecutiveFailures: number;
  /** Failed probes since the breaker last closed (the backoff exponent). */
  readonly failedProbes: number;
}

export interface CircuitBreakerOptions {
  /** The processor's settings now (read at every decision: a config change applies at once). */
  config: () => CircuitBreakerConfig;
  /** Wall-clock milliseconds. */
  now: () => number;
  /** Every transition and auto-pause request, in order. */
  emit: (event: BreakerEvent) => void;
}

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #window: SlidingWindow;
  #state: BreakerState = BreakerStates.closed;
  #since: number;
  #failingSince: number | null = null;
  #lastFailureAt: number | null = null;
  #lastFailure: string | null = null;
  #nextProbeAt: number | null = null;
  #consecutive = 0;
  #failedProbes = 0;
  #probeRunning = false;
  #autoPauseAsked = false;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#since = options.now();
    this.#window = new SlidingWindow(options.config().window_ms);
  }

  get state(): BreakerState {
    return this.#state;
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.#state,
      since: this.#since,
      failingSince: this.#failingSince,
      lastFailureAt: this.#lastFailureAt,
      lastFailure: this.#lastFailure,
      nextProbeAt: this.#state === BreakerStates.open ? this.#nextProbeAt : null,
      consecutiveFailures: this.#consecutive,
      failedProbes: this.#failedProbes,
    };
  }

  /** May an attempt start now? `probe` makes it the one half-open probe: report it with `probe: true`. */
  admit(): Admission {
    this.tick();
    if (this.#state === BreakerStates.closed) return 'pass';
    if (this.#state === BreakerStates.halfOpen && !this.#probeRunning) {
      this.#probeRunning = true;
      return 'probe';
    }
    return 'wait';
  }

  /**
   * Moves open → half_open once the probe is due, and closes a breaker that was disabled meanwhile.
   * Returns the time of the next thing due (the probe), if any.
   */
  tick(): number | null {
    const now = this.#options.now();
    if (this.#state !== BreakerStates.closed && !this.#options.config().enabled) {
      this.#close(now, 'breaker disabled in the processor config');
      return null;
    }
    if (this.#state === BreakerStates.open && this.#nextProbeAt !== null) {
      if (now < this.#nextProbeAt) return this.#nextProbeAt;
      this.#transition(BreakerStates.halfOpen, now, `probe due after ${this.#failedProbes} failed probe(s)`);
    }
    return null;
  }

  /** The result of an admitted attempt. `failure` (the error) is null for a success. */
  record(result: { probe: boolean; failure: string | null }): void {
    const now = this.#options.now();
    const config = this.#options.config();
    if (this.#window.windowMs !== config.window_ms) this.#window = new SlidingWindow(config.window_ms);
    if (result.probe) this.#probeRunning = false;
    if (result.failure === null) {
      this.#window.record(now, false);
      this.#consecutive = 0;
      this.#failingSince = null;
      this.#autoPauseAsked = false;
      if (result.probe && this.#state === BreakerStates.halfOpen) this.#close(now, 'probe succeeded');
      return;
    }
    this.#window.record(now, true);
    this.#consecutive += 1;
    this.#failingSince ??= now;
    this.#lastFailureAt = now;
    this.#lastFailure = result.failure;
    if (result.probe && this.#state === BreakerStates.halfOpen) {
      this.#failedProbes += 1;
      this.#open(now, config, `probe failed: ${result.failure}`);
    } else if (this.#state === BreakerStates.closed && config.enabled) {
      const trip = tripReason(config, this.#consecutive, this.#window.counts(now));
      if (trip !== null) this.#open(now, config, `${trip}; last: ${result.failure}`);
    }
    this.#checkAutoPause(now, config);
  }

  /** The probe ended without a result (its delivery was abandoned): another attempt may probe. */
  releaseProbe(): void {
    this.#probeRunning = false;
  }

  /** Forgets the run of failures (the processor was resumed after a pause): auto-pause counts afresh. */
  forgetFailures(): void {
    this.#failingSince = null;
    this.#autoPauseAsked = false;
  }

  #checkAutoPause(now: number, config: CircuitBreakerConfig): void {
    const after = config.auto_pause_after_ms;
    if (after <= 0 || this.#autoPauseAsked || this.#failingSince === null || now - this.#failingSince < after) return;
    this.#autoPauseAsked = true;
    const failingSince = this.#failingSince;
    this.#options.emit({
      kind: 'auto_pause',
      at: now,
      failingSince,
      reason: `failing without a success since ${new Date(failingSince).toISOString()} (auto_pause_after_ms ${after}); last: ${this.#lastFailure ?? 'unknown'}`,
    });
  }

  #open(now: number, config: CircuitBreakerConfig, reason: string): void {
    const backoff = Math.min(config.max_probe_interval_ms, config.probe_interval_ms * 2 ** Math.min(this.#failedProbes, 30));
    this.#nextProbeAt = now + backoff;
    this.#transition(BreakerStates.open, now, reason);
  }

  #close(now: number, reason: string): void {
    this.#failedProbes = 0;
    this.#consecutive = 0;
    this.#nextProbeAt = null;
    this.#probeRunning = false;
    this.#window.clear();
    this.#transition(BreakerStates.closed, now, reason);
  }

  #transition(to: BreakerState, now: number, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#since = now;
    this.#options.emit({ kind: 'transition', from, to, at: now, reason });
  }
}

/** Why the closed breaker must open, or null. */
export function tripReason(config: CircuitBreakerConfig, consecutive: number, window: { calls: number; failures: number }): string | null {
  if (config.consecutive_failures > 0 && consecutive >= config.consecutive_failures) return `${consecutive} consecutive failures`;
  if (config.failure_ratio_percent > 0 && window.calls >= config.min_calls && window.failures * 100 >= config.failure_ratio_percent * window.calls) {
    return `${window.failures} of ${window.calls} attempts failed within ${config.window_ms} ms`;
  }
  return null;
}
