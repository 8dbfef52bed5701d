/**
 * Retry policy of a processor: parse and validate `retry_strategy` / `is_retry` once, then ask what
 * follows each failed attempt. Pure and clock-free; the dispatcher schedules the retry.
 *
 * @example
 * const policy = retryPolicyOf({ retry_strategy: { retry_count: 3, retry_interval: 1000 }, is_retry: true });
 * const next = nextAttempt(policy, attempt.number, { retriable: outcome.retriable, cancelled: outcome.outcome === 'cancel', retryAfterMs: outcome.retryAfterMs });
 * if (next.retry) schedule(task, { delayMs: next.delayMs, retryTimes: next.retryTimes });
 * else if (next.reason === 'exhausted' || next.reason === 'not_retriable') markDead(task);
 */
export { DEFAULT_MAX_INTERVAL_MS, DEFAULT_RETRY_INTERVAL_MS, NO_RETRY_POLICY, parseRetryStrategy, retryPolicyOf } from './retry-policy.ts';
export type { RetryPolicy } from './retry-policy.ts';
export { nextAttempt, retryDelayMs } from './next-attempt.ts';
