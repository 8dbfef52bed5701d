// What follows a failed attempt: stop reasons, fixed and exponential delays, jitter bounds, Retry-After.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttempt, parseRetryStrategy, retryDelayMs, retryPolicyOf } from '../../src/retry/index.ts';

const fixed = parseRetryStrategy({ retry_count: 3, retry_interval: 1000 });
const exponential = parseRetryStrategy({ retry_count: 20, retry_interval: 1000, strategy_type: 'exponential' }, { maxIntervalMs: 60_000 });

describe('nextAttempt', () => {
  test('fixed interval: attempts 1 and 2 retry after the interval, attempt 3 is the last', () => {
    assert.deepEqual(nextAttempt(fixed, 1), { retry: true, delayMs: 1000, retryTimes: 1 });
    assert.deepEqual(nextAttempt(fixed, 2), { retry: true, delayMs: 1000, retryTimes: 2 });
    assert.deepEqual(nextAttempt(fixed, 3), { retry: false, reason: 'exhausted' });
    assert.deepEqual(nextAttempt(fixed, 7), { retry: false, reason: 'exhausted' });
  });

  test('retry_count <= 1 gives one attempt', () => {
    assert.deepEqual(nextAttempt(parseRetryStrategy({ retry_count: 1 }), 1), { retry: false, reason: 'exhausted' });
    assert.deepEqual(nextAttempt(parseRetryStrategy(undefined), 1), { retry: false, reason: 'exhausted' });
  });

  test('cancel (30000) stops first, then non-retriable failures, then disabled retries', () => {
    const disabled = retryPolicyOf({ retry_strategy: { retry_count: 3 }, is_retry: false });
    assert.deepEqual(nextAttempt(fixed, 1, { cancelled: true, retriable: false }), { retry: false, reason: 'cancelled' });
    assert.deepEqual(nextAttempt(fixed, 1, { retriable: false }), { retry: false, reason: 'not_retriable' });
    assert.deepEqual(nextAttempt(disabled, 1), { retry: false, reason: 'retry_disabled' });
    assert.deepEqual(nextAttempt(disabled, 1, { cancelled: true }), { retry: false, reason: 'cancelled' });
  });

  test('attemptsSoFar must be a positive integer', () => {
    assert.throws(() => nextAttempt(fixed, 0), RangeError);
    assert.throws(() => nextAttempt(fixed, 1.5), RangeError);
  });

  test('exponential doubles per retry, with equal jitter in [base/2, base]', () => {
    const low = (): number => 0;
    const high = (): number => 0.999999;
    for (let n = 1; n <= 5; n++) {
      const base = 1000 * 2 ** (n - 1);
      const lowDelay = nextAttempt(exponential, n, { random: low });
      const highDelay = nextAttempt(exponential, n, { random: high });
      assert.deepEqual(lowDelay, { retry: true, delayMs: base / 2, retryTimes: n });
      assert.deepEqual(highDelay, { retry: true, delayMs: base, retryTimes: n });
    }
  });

  test('exponential delays stay under the cap, also at huge retry numbers', () => {
    for (const n of [7, 10, 19, 60, 1000]) {
      const delay = retryDelayMs(exponential, n, () => 0.999999);
      assert.equal(delay, 60_000, `retry ${n}`);
      assert.equal(
        retryDelayMs(exponential, n, () => 0),
        30_000,
      );
    }
  });

  test('jittered delays of many deliveries spread over the whole range', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 1000 }, () => retryDelayMs(exponential, 3, random));
    assert.ok(delays.every((d) => d >= 2000 && d <= 4000));
    assert.ok(Math.min(...delays) < 2200 && Math.max(...delays) > 3800, 'covers the range');
  });

  test('a fixed interval has no jitter and no cap', () => {
    const long = parseRetryStrategy({ retry_count: 2, retry_interval: 7_200_000 }, { maxIntervalMs: 1000 });
    assert.equal(
      retryDelayMs(long, 1, () => 0),
      7_200_000,
    );
  });

  test('exponential with a zero interval retries at once', () => {
    const zero = parseRetryStrategy({ retry_count: 3, retry_interval: 0, strategy_type: 'exponential' });
    assert.equal(retryDelayMs(zero, 10), 0);
  });

  test('Retry-After longer than the delay wins, up to the cap; shorter never shortens the spacing', () => {
    const policy = parseRetryStrategy({ retry_count: 3, retry_interval: 1000 }, { maxRetryAfterMs: 30_000 });
    assert.deepEqual(nextAttempt(policy, 1, { retryAfterMs: 5000 }), { retry: true, delayMs: 5000, retryTimes: 1 });
    assert.deepEqual(nextAttempt(policy, 1, { retryAfterMs: 10 }), { retry: true, delayMs: 1000, retryTimes: 1 });
    assert.deepEqual(nextAttempt(policy, 1, { retryAfterMs: 86_400_000 }), { retry: true, delayMs: 30_000, retryTimes: 1 });
    assert.deepEqual(nextAttempt(policy, 1, { retryAfterMs: Number.NaN }), { retry: true, delayMs: 1000, retryTimes: 1 });
    assert.deepEqual(nextAttempt(policy, 3, { retryAfterMs: 5000 }), { retry: false, reason: 'exhausted' }, 'never adds attempts');
  });
});
