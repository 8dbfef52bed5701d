// Parsing and validating a processor's retry_strategy / is_retry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { DEFAULT_MAX_INTERVAL_MS, DEFAULT_RETRY_INTERVAL_MS, parseRetryStrategy, retryPolicyOf } from '../../src/retry/index.ts';

function refuses(run: () => unknown, message: string, field: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(isEventyardError(err));
    assert.equal(err.code, DispatcherErrors.EY_INVALID_RETRY_STRATEGY.code);
    assert.equal(err.family, 'validation');
    assert.equal(err.message, message);
    assert.equal(err.context['field'], field);
    return true;
  });
}

describe('parseRetryStrategy', () => {
  test('absent strategy: one attempt', () => {
    for (const raw of [undefined, null, {}]) {
      const policy = parseRetryStrategy(raw);
      assert.equal(policy.maxAttempts, 1);
      assert.equal(policy.enabled, true);
    }
  });

  test('retry_count is the total number of attempts, and 0 or 1 means one attempt', () => {
    assert.equal(parseRetryStrategy({ retry_count: 0 }).maxAttempts, 1);
    assert.equal(parseRetryStrategy({ retry_count: 1 }).maxAttempts, 1);
    assert.equal(parseRetryStrategy({ retry_count: 3 }).maxAttempts, 3);
  });

  test('fixed interval by default, with the interval as given', () => {
    const policy = parseRetryStrategy({ retry_count: 3, retry_interval: 250 });
    assert.deepEqual(
      { strategy: policy.strategy, intervalMs: policy.intervalMs, maxIntervalMs: policy.maxIntervalMs },
      { strategy: 'fixed', intervalMs: 250, maxIntervalMs: DEFAULT_MAX_INTERVAL_MS },
    );
    assert.equal(parseRetryStrategy({ retry_count: 3, retry_interval: 0 }).intervalMs, 0, 'explicit 0 = immediate');
  });

  test('absent retry_interval defaults to 1000 ms, or the configured default', () => {
    assert.equal(parseRetryStrategy({ retry_count: 2 }).intervalMs, DEFAULT_RETRY_INTERVAL_MS);
    assert.equal(parseRetryStrategy({ retry_count: 2 }, { defaultIntervalMs: 50 }).intervalMs, 50);
  });

  test('strategy_type: "", "fixed" and "exponential", ignoring case and spaces', () => {
    assert.equal(parseRetryStrategy({ strategy_type: '' }).strategy, 'fixed');
    assert.equal(parseRetryStrategy({ strategy_type: 'fixed' }).strategy, 'fixed');
    assert.equal(parseRetryStrategy({ strategy_type: ' Exponential ' }).strategy, 'exponential');
  });

  test('the exponential cap comes from max_interval, then from options', () => {
    assert.equal(parseRetryStrategy({ strategy_type: 'exponential' }, { maxIntervalMs: 5000 }).maxIntervalMs, 5000);
    assert.equal(parseRetryStrategy({ strategy_type: 'exponential', max_interval: 60_000 }, { maxIntervalMs: 5000 }).maxIntervalMs, 60_000);
  });

  test('the policy is frozen', () => {
    assert.equal(Object.isFrozen(parseRetryStrategy({ retry_count: 2 })), true);
  });

  test('bad fields are refused, naming the field', () => {
    refuses(() => parseRetryStrategy({ retry_count: -1 }), 'retry_strategy.retry_count: must be a non-negative integer, got -1', 'retry_strategy.retry_count');
    refuses(
      () => parseRetryStrategy({ retry_count: 2.5 }),
      'retry_strategy.retry_count: must be a non-negative integer, got 2.5',
      'retry_strategy.retry_count',
    );
    refuses(() => parseRetryStrategy({ retry_count: '3' }), 'retry_strategy.retry_count: must be a number, got string "3"', 'retry_strategy.retry_count');
    refuses(() => parseRetryStrategy({ retry_count: 1001 }), 'retry_strategy.retry_count: must be at most 1000, got 1001', 'retry_strategy.retry_count');
    refuses(
      () => parseRetryStrategy({ retry_interval: '1s' }),
      'retry_strategy.retry_interval: must be a number, got string "1s"',
      'retry_strategy.retry_interval',
    );
    refuses(
      () => parseRetryStrategy({ retry_interval: Number.NaN }),
      'retry_strategy.retry_interval: must be a number, got number',
      'retry_strategy.retry_interval',
    );
    refuses(
      () => parseRetryStrategy({ retry_interval: -5 }),
      'retry_strategy.retry_interval: must be a non-negative integer, got -5',
      'retry_strategy.retry_interval',
    );
    refuses(() => parseRetryStrategy({ max_interval: 0 }), 'retry_strategy.max_interval: must be a positive integer, got 0', 'retry_strategy.max_interval');
    refuses(
      () => parseRetryStrategy({ strategy_type: 'linear' }),
      'retry_strategy.strategy_type: unknown strategy "linear" (expected "fixed" or "exponential")',
      'retry_strategy.strategy_type',
    );
    refuses(() => parseRetryStrategy({ strategy_type: 2 }), 'retry_strategy.strategy_type: must be a string, got number', 'retry_strategy.strategy_type');
    refuses(() => parseRetryStrategy([1]), 'retry_strategy: must be an object, got array', 'retry_strategy');
    refuses(() => parseRetryStrategy({}, { isRetry: 'yes' }), 'is_retry: must be true or false, got string "yes"', 'is_retry');
  });
});

describe('retryPolicyOf', () => {
  test('is_retry false disables retries; absent or true allows them', () => {
    assert.equal(retryPolicyOf({ retry_strategy: { retry_count: 3 }, is_retry: false }).enabled, false);
    assert.equal(retryPolicyOf({ retry_strategy: { retry_count: 3 }, is_retry: true }).enabled, true);
    assert.equal(retryPolicyOf({ retry_strategy: { retry_count: 3 } }).enabled, true);
  });
});
