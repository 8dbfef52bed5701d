// Decides, after an attempt failed or was cancelled, whether another attempt follows and after how
// long. Pure: the caller schedules the retry through the delay-scheduler, never by sleeping.
// Jitter: exponential delays use "equal jitter", a delay drawn uniformly from [base/2, base], so
// retries of many deliveries spread out while keeping at least half the configured spacing (full
// jitter could retry a just-failed consumer after ~0 ms). Fixed intervals get no jitter: users
// configured an exact spacing and EvHub kept it.
import { RetryStrategyType, type RetryPolicy } from './retry-policy.ts';

/** Why no further attempt follows. */
export type StopReason = 'exhausted' | 'cancelled' | 'not_retriable' | 'retry_disabled';

export type NextAttempt =
  | {
      readonly retry: true;
      /** How long to wait before the next attempt, ms. */
      readonly delayMs: number;
      /** `DispatchReq.retry_times` of the next attempt (= attempts so far). */
      readonly retryTimes: number;
    }
  | { readonly retry: false; readonly reason: StopReason };

export interface AttemptFacts {
  /** The consumer answered 30000 (cancel). @default false */
  readonly cancelled?: boolean;
  /** The failure may succeed on retry (see the outcome module). @default true */
  readonly retriable?: boolean;
  /** The consumer's `Retry-After`, ms; honoured up to `policy.maxRetryAfterMs`. */
  readonly retryAfterMs?: number;
  /** Uniform random in [0, 1), for jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * What follows attempt number `attemptsSoFar` (1 after the first attempt) of a delivery.
 * Order of precedence: cancelled, not retriable, retries disabled, attempts exhausted.
 * A `Retry-After` longer than the computed delay wins, capped at `policy.maxRetryAfterMs`; a shorter
 * one never shortens the configured spacing.
 */
export function nextAttempt(policy: RetryPolicy, attemptsSoFar: number, facts: AttemptFacts = {}): NextAttempt {
  if (!Number.isInteger(attemptsSoFar) || attemptsSoFar < 1) {
    throw new RangeError(`attemptsSoFar must be an integer >= 1, got ${attemptsSoFar}`);
  }
  if (facts.cancelled === true) return { retry: false, reason: 'cancelled' };
  if (facts.retriable === false) return { retry: false, reason: 'not_retriable' };
  if (!policy.enabled) return { retry: false, reason: 'retry_disabled' };
  if (attemptsSoFar >= policy.maxAttempts) return { retry: false, reason: 'exhausted' };
  let delayMs = retryDelayMs(policy, attemptsSoFar, facts.random);
  const retryAfter = facts.retryAfterMs;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > delayMs) {
    delayMs = Math.max(delayMs, Math.min(Math.ceil(retryAfter), policy.maxRetryAfterMs));
  }
  return { retry: true, delayMs, retryTimes: attemptsSoFar };
}

/**
 * The delay before retry number `retryNumber` (1 = the first retry), ms, before any `Retry-After`.
 * Fixed: `intervalMs`. Exponential: `min(maxIntervalMs, intervalMs·2^(retryNumber-1))` with equal jitter.
 */
export function retryDelayMs(policy: RetryPolicy, retryNumber: number, random: () => number = Math.random): number {
  if (policy.strategy === RetryStrategyType.fixed || policy.intervalMs === 0) return policy.intervalMs;
  // Past 2^52 the product only overflows; the cap applies long before.
  const base = Math.min(policy.maxIntervalMs, policy.intervalMs * 2 ** Math.min(retryNumber - 1, 52));
  const half = base / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(half + r * half);
}
