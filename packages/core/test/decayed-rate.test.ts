// DecayedRate: a steady rate reads as itself after a few time constants, a burst counts in proportion,
// and a stop fades within a few time constants. Times are given, not measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecayedRate } from '../src/decayed-rate.ts';

test('a steady rate reads as itself; a stop fades', () => {
  const rate = new DecayedRate(100);
  assert.equal(rate.perSecond(0), 0);
  // 1,000 a second for one second: one arrival every millisecond.
  for (let t = 1; t <= 1000; t++) rate.add(1, t);
  assert.ok(Math.abs(rate.perSecond(1000) - 1000) < 10, `${rate.perSecond(1000)}`);
  // 100 a second, in batches of 10 every 100 ms: the same reading as one at a time.
  const batched = new DecayedRate(100);
  for (let t = 100; t <= 2000; t += 100) batched.add(10, t);
  assert.ok(batched.perSecond(2000) > 80 && batched.perSecond(2000) < 170, `${batched.perSecond(2000)}`);
  // Half a second (five time constants) after the stop, under 1 % is left.
  assert.ok(rate.perSecond(1500) < 10, `${rate.perSecond(1500)}`);
});

test('time going backwards (another clock) changes nothing', () => {
  const rate = new DecayedRate(100);
  rate.add(5, 1000);
  const before = rate.perSecond(1000);
  assert.equal(rate.perSecond(900), before);
});
