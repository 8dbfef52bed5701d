// What follows one classified attempt, in delivery-status terms: success → succeeded; 30000 → cancelled
// (no retry); a retriable failure with attempts left → a retry timer; a failure that may not be
// retried (e.g. HTTP 400, an SSRF refusal) → failed; attempts exhausted, or retries disabled by
// `is_retry: false` → dead (on the dead-letter topic, replayable).
import type { AttemptOutcome } from '../outcome/index.ts';
import { nextAttempt, type RetryPolicy } from '../retry/index.ts';

export type NextStep =
  { readonly status: 'succeeded' | 'cancelled' | 'failed' | 'dead' } | { readonly status: 'scheduled'; readonly delayMs: number; readonly retryTimes: number };

export function nextStep(policy: RetryPolicy, retryTimes: number, outcome: AttemptOutcome): NextStep {
  if (outcome.outcome === 'success') return { status: 'succeeded' };
  if (outcome.outcome === 'cancel') return { status: 'cancelled' };
  const next = nextAttempt(policy, retryTimes + 1, {
    retriable: outcome.retriable,
    ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
  });
  if (next.retry) return { status: 'scheduled', delayMs: next.delayMs, retryTimes: next.retryTimes };
  return { status: next.reason === 'not_retriable' ? 'failed' : 'dead' };
}

/** The `delivery_attempts.outcome` text of an attempt. */
export function attemptOutcomeText(outcome: AttemptOutcome): string {
  return outcome.outcome === 'failure' && outcome.errorCode === 'timeout' ? 'timeout' : outcome.outcome;
}
