// The waits of a polling loop: short while it finds work, doubling while it finds none, capped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PollBackoff } from '../src/poll-backoff.ts';

test('empty looks double the wait up to the cap; a look that found work starts over', () => {
  const backoff = new PollBackoff(500, 5000);
  assert.deepEqual(
    [false, false, false, false, false, false].map((found) => backoff.after(found)),
    [500, 1000, 2000, 4000, 5000, 5000],
  );
  assert.equal(backoff.after(true), 500);
  assert.equal(backoff.after(false), 500);
  assert.equal(backoff.after(false), 1000);
});

test('reset: the next empty look waits the short interval again', () => {
  const backoff = new PollBackoff(100, 1000);
  backoff.after(false);
  backoff.after(false);
  backoff.reset();
  assert.equal(backoff.after(false), 100);
});

test('a cap below the short interval means no backoff', () => {
  const backoff = new PollBackoff(500, 100);
  assert.equal(backoff.maxMs, 500);
  assert.deepEqual([backoff.after(false), backoff.after(false)], [500, 500]);
});
