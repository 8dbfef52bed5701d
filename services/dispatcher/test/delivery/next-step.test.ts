// What follows an attempt: the delivery statuses of the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptOutcomeText, nextStep } from '../../src/delivery/next-step.ts';
import { parseRetryStrategy } from '../../src/retry/index.ts';

const threeAttempts = parseRetryStrategy({ retry_count: 3, retry_interval: 500 });

test('success, cancel, retry, exhausted, not retriable, retries disabled', () => {
  assert.deepEqual(nextStep(threeAttempts, 0, { outcome: 'success', retriable: false }), { status: 'succeeded' });
  assert.deepEqual(nextStep(threeAttempts, 0, { outcome: 'cancel', retriable: false, errorCode: 30000 }), { status: 'cancelled' });
  assert.deepEqual(nextStep(threeAttempts, 0, { outcome: 'failure', retriable: true }), { status: 'scheduled', delayMs: 500, retryTimes: 1 });
  assert.deepEqual(nextStep(threeAttempts, 1, { outcome: 'failure', retriable: true }), { status: 'scheduled', delayMs: 500, retryTimes: 2 });
  assert.deepEqual(nextStep(threeAttempts, 2, { outcome: 'failure', retriable: true }), { status: 'dead' });
  assert.deepEqual(nextStep(threeAttempts, 0, { outcome: 'failure', retriable: false, errorCode: 'http:400' }), { status: 'failed' });
  assert.deepEqual(nextStep(parseRetryStrategy({ retry_count: 3 }, { isRetry: false }), 0, { outcome: 'failure', retriable: true }), { status: 'dead' });
  assert.deepEqual(nextStep(parseRetryStrategy(undefined), 0, { outcome: 'failure', retriable: true }), { status: 'dead' });
});

test('Retry-After stretches the delay', () => {
  assert.deepEqual(nextStep(threeAttempts, 0, { outcome: 'failure', retriable: true, retryAfterMs: 3000 }), {
    status: 'scheduled',
    delayMs: 3000,
    retryTimes: 1,
  });
});

test('a timeout is recorded as "timeout"', () => {
  assert.equal(attemptOutcomeText({ outcome: 'failure', retriable: true, errorCode: 'timeout' }), 'timeout');
  assert.equal(attemptOutcomeText({ outcome: 'failure', retriable: true, errorCode: 'grpc:UNAVAILABLE' }), 'failure');
});
