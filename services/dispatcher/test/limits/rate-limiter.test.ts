// The token-bucket rate limiter on a manual clock: burst, refill, one timer, FIFO, live changes, close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { RateLimiter } from '../../src/limits/index.ts';
import { ManualClock } from './manual-clock.ts';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts `n` takes and counts how many have resolved. */
function takeMany(limiter: RateLimiter, n: number): { granted: () => number; order: number[]; all: Promise<unknown> } {
  const order: number[] = [];
  const all = Promise.allSettled(Array.from({ length: n }, (_, i) => limiter.take().then(() => order.push(i))));
  return { granted: () => order.length, order, all };
}

describe('RateLimiter', () => {
  test('qps 0 or absent is unlimited', async () => {
    for (const limiter of [new RateLimiter(), new RateLimiter({ qps: 0 })]) {
      await Promise.all(Array.from({ length: 1000 }, () => limiter.take()));
      assert.equal(limiter.queued, 0);
    }
  });

  test('a full bucket of max(1, qps) tokens, then one token per 1/qps s', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 5, clock });
    assert.equal(limiter.burst, 5);
    const run = takeMany(limiter, 8);
    await settle();
    assert.equal(run.granted(), 5, 'burst');
    assert.equal(clock.pendingTimers, 1, 'one timer, no polling');
    clock.advance(199);
    await settle();
    assert.equal(run.granted(), 5);
    clock.advance(1);
    await settle();
    assert.equal(run.granted(), 6);
    clock.advance(400);
    await settle();
    assert.equal(run.granted(), 8);
    assert.equal(clock.pendingTimers, 0, 'no timer once nobody waits');
    assert.deepEqual(run.order, [0, 1, 2, 3, 4, 5, 6, 7], 'FIFO');
  });

  test('an idle bucket saves up at most burst tokens', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 2, clock });
    await Promise.all([limiter.take(), limiter.take()]);
    clock.advance(60_000);
    const run = takeMany(limiter, 5);
    await settle();
    assert.equal(run.granted(), 2);
    limiter.close();
    await run.all;
  });

  test('fractional qps: 0.5 gives one token every 2 s, burst 1', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 0.5, clock });
    const run = takeMany(limiter, 3);
    await settle();
    assert.equal(run.granted(), 1);
    clock.advance(1999);
    await settle();
    assert.equal(run.granted(), 1);
    clock.advance(1);
    await settle();
    assert.equal(run.granted(), 2);
    clock.advance(2000);
    await settle();
    assert.equal(run.granted(), 3);
  });

  test('an explicit burst overrides max(1, qps)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 10, burst: 2, clock });
    const run = takeMany(limiter, 3);
    await settle();
    assert.equal(run.granted(), 2);
    clock.advance(100);
    await settle();
    assert.equal(run.granted(), 3);
  });

  test('tryTake does not overtake waiters, even when their timer is late', async () => {
    // A clock whose timers never fire on their own: tokens accrue while the waiter is still queued.
    let now = 0;
    const timers: Array<() => void> = [];
    const lateClock = { now: () => now, setTimeout: (callback: () => void) => timers.push(callback), clearTimeout: () => {} };
    const limiter = new RateLimiter({ qps: 1, clock: lateClock });
    assert.equal(limiter.tryTake(), true);
    const waiting = limiter.take();
    now = 5000;
    assert.equal(limiter.tryTake(), false, 'the token belongs to the waiter');
    timers.shift()?.();
    await waiting;
  });

  test('close rejects waiters and later takes with EY_LIMITER_CLOSED and clears the timer', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 1, clock });
    await limiter.take();
    const waiters = [limiter.take(), limiter.take()];
    limiter.close('shutdown');
    for (const waiter of waiters) {
      await assert.rejects(waiter, (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_LIMITER_CLOSED.code && err.retriable);
    }
    await assert.rejects(limiter.take(), (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_LIMITER_CLOSED.code);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(limiter.tryTake(), false);
  });

  test('an aborted waiter leaves; the timer goes when nobody waits', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 1, clock });
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take({ signal: controller.signal });
    assert.equal(clock.pendingTimers, 1);
    controller.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    assert.equal(limiter.queued, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  test('timeoutMs gives up on the injected clock', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 0.1, clock });
    await limiter.take();
    const waiting = limiter.take({ timeoutMs: 1000 });
    clock.advance(1000);
    await assert.rejects(waiting, (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_LIMITER_TIMEOUT.code);
  });

  test('setQps: faster rates re-arm the timer, 0 releases every waiter', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 1, clock });
    await limiter.take();
    const run = takeMany(limiter, 4);
    await settle();
    assert.equal(run.granted(), 0);
    limiter.setQps(10);
    clock.advance(100);
    await settle();
    assert.equal(run.granted(), 1, 'next token after 100 ms at the new rate, not 1 s');
    limiter.setQps(0);
    clock.advance(0);
    await settle();
    assert.equal(run.granted(), 4);
  });

  test('a full queue refuses with EY_LIMITER_QUEUE_FULL', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 1, maxQueue: 1, clock });
    await limiter.take();
    const queued = limiter.take();
    await assert.rejects(limiter.take(), (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_LIMITER_QUEUE_FULL.code);
    clock.advance(1000);
    await queued;
  });

  test('bad rates are refused', () => {
    assert.throws(() => new RateLimiter({ qps: -1 }), RangeError);
    assert.throws(() => new RateLimiter({ qps: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(() => new RateLimiter({ qps: 5, burst: 0.5 }), RangeError);
  });

  test('on the real clock, waiters are served by timers (no timing asserted)', async () => {
    const limiter = new RateLimiter({ qps: 1000 });
    await Promise.all(Array.from({ length: 1030 }, () => limiter.take()));
    assert.equal(limiter.queued, 0);
    limiter.close();
  });
});
