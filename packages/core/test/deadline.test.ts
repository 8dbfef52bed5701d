import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDeadline } from '../src/index.ts';

test('withDeadline: the result when in time; the caller’s error when late, and the late failure is not unhandled', async () => {
  assert.equal(await withDeadline(Promise.resolve(7), 1000, () => new Error('late')), 7);
  let rejectLate!: (err: Error) => void;
  const late = new Promise<number>((_, reject) => (rejectLate = reject));
  let called = 0;
  await assert.rejects(
    withDeadline(late, 20, () => (called++, new Error('no answer within 20 ms'))),
    /no answer within 20 ms/,
  );
  assert.equal(called, 1);
  // A rejection after the deadline must not surface as an unhandled rejection (node --test fails on those).
  rejectLate(new Error('settled after the deadline'));
  await new Promise((resolve) => setImmediate(resolve));
});
