// The per-processor concurrency limiter: slots, FIFO hand-off, bounded queue, abort, timeout, close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { ConcurrencyLimiter, type Release } from '../../src/limits/index.ts';
import { ManualClock } from './manual-clock.ts';

/** Lets resolved promises run their continuations. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records the order in which acquisitions are granted. */
function track(promise: Promise<Release>, label: string, log: string[]): Promise<Release> {
  return promise.then((release) => {
    log.push(label);
    return release;
  });
}

function isCoded(code: string) {
  return (err: unknown): boolean => isEventyardError(err) && err.code === code && err.retriable;
}

describe('ConcurrencyLimiter', () => {
  test('grants up to the limit at once, then queues; a release hands the slot to the oldest waiter', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 2 });
    const log: string[] = [];
    const a = await track(limiter.acquire(), 'a', log);
    const b = await track(limiter.acquire(), 'b', log);
    const c = track(limiter.acquire(), 'c', log);
    const d = track(limiter.acquire(), 'd', log);
    await settle();
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(limiter.active, 2);
    assert.equal(limiter.queued, 2);
    b();
    await settle();
    assert.deepEqual(log, ['a', 'b', 'c']);
    assert.equal(limiter.active, 2);
    a();
    (await c)();
    (await d)();
    assert.deepEqual(log, ['a', 'b', 'c', 'd']);
    assert.equal(limiter.active, 0);
  });

  test('releasing twice frees one slot only', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const release = await limiter.acquire();
    release();
    release();
    assert.equal(limiter.active, 0);
    await limiter.acquire();
    assert.equal(limiter.tryAcquire(), null, 'still one slot');
  });

  test('tryAcquire never overtakes queued waiters', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const first = await limiter.acquire();
    const waiting = limiter.acquire();
    first();
    assert.equal(limiter.tryAcquire(), null);
    (await waiting)();
    assert.notEqual(limiter.tryAcquire(), null);
  });

  test('a full queue refuses with EY_LIMITER_QUEUE_FULL', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1, maxQueue: 1 });
    await limiter.acquire();
    const queued = limiter.acquire();
    await assert.rejects(limiter.acquire(), isCoded(DispatcherErrors.EY_LIMITER_QUEUE_FULL.code));
    assert.equal(limiter.queued, 1);
    limiter.close();
    await assert.rejects(queued, isCoded(DispatcherErrors.EY_LIMITER_CLOSED.code));
  });

  test('close rejects waiters and later acquires with EY_LIMITER_CLOSED; holders can still release', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const held = await limiter.acquire();
    const waiters = [limiter.acquire(), limiter.acquire()];
    limiter.close('processor removed');
    for (const waiter of waiters) {
      await assert.rejects(waiter, (err: unknown) => isCoded(DispatcherErrors.EY_LIMITER_CLOSED.code)(err) && /processor removed/.test((err as Error).message));
    }
    await assert.rejects(limiter.acquire(), isCoded(DispatcherErrors.EY_LIMITER_CLOSED.code));
    held();
    assert.equal(limiter.active, 0);
    assert.equal(limiter.queued, 0);
    limiter.close();
  });

  test('an aborted waiter leaves the queue with the signal reason; the others keep their order', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const held = await limiter.acquire();
    const log: string[] = [];
    const controller = new AbortController();
    const a = track(limiter.acquire(), 'a', log);
    const b = track(limiter.acquire({ signal: controller.signal }), 'b', log);
    const c = track(limiter.acquire(), 'c', log);
    controller.abort(new Error('shutting down'));
    await assert.rejects(b, /shutting down/);
    assert.equal(limiter.queued, 2);
    held();
    (await a)();
    (await c)();
    assert.deepEqual(log, ['a', 'c']);
    await assert.rejects(limiter.acquire({ signal: AbortSignal.abort(new Error('already')) }), /already/);
  });

  test('timeoutMs rejects with EY_LIMITER_TIMEOUT on the injected clock, not before', async () => {
    const clock = new ManualClock();
    const limiter = new ConcurrencyLimiter({ limit: 1, clock });
    await limiter.acquire();
    let outcome = 'pending';
    const waiting = limiter.acquire({ timeoutMs: 500 }).then(
      () => (outcome = 'granted'),
      (err: unknown) => {
        outcome = isEventyardError(err) && err.code === DispatcherErrors.EY_LIMITER_TIMEOUT.code && err.retriable ? 'timeout' : 'other';
      },
    );
    clock.advance(499);
    await settle();
    assert.equal(outcome, 'pending');
    clock.advance(1);
    await waiting;
    assert.equal(outcome, 'timeout');
    assert.equal(limiter.queued, 0);
  });

  test('a granted waiter cancels its timeout timer', async () => {
    const clock = new ManualClock();
    const limiter = new ConcurrencyLimiter({ limit: 1, clock });
    const held = await limiter.acquire();
    const waiting = limiter.acquire({ timeoutMs: 500 });
    assert.equal(clock.pendingTimers, 1);
    held();
    await waiting;
    assert.equal(clock.pendingTimers, 0);
  });

  test('setLimit raises admit waiters at once; lowering lets holders finish', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const first = await limiter.acquire();
    const second = limiter.acquire();
    limiter.setLimit(2);
    const secondRelease = await second;
    assert.equal(limiter.active, 2);
    limiter.setLimit(1);
    const third = limiter.acquire();
    first();
    await settle();
    assert.equal(limiter.queued, 1, 'still over the new limit');
    secondRelease();
    (await third)();
  });

  test('never exceeds the limit under many concurrent tasks', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 5 });
    let active = 0;
    let peak = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const release = await limiter.acquire();
        active++;
        peak = Math.max(peak, active);
        for (let k = 0; k < (i % 4) + 1; k++) await settle();
        active--;
        done++;
        release();
      }),
    );
    assert.equal(done, 200);
    assert.equal(peak, 5);
  });

  test('Infinity means unlimited; bad limits are refused', async () => {
    const limiter = new ConcurrencyLimiter({ limit: Number.POSITIVE_INFINITY });
    await Promise.all(Array.from({ length: 100 }, () => limiter.acquire()));
    assert.equal(limiter.active, 100);
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new ConcurrencyLimiter({ limit }), RangeError);
  });
});
