// The commit point of a partition under parallel, out-of-order completion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetWatermark } from '../../src/watermark/index.ts';
import { BigIntMinHeap } from '../../src/watermark/bigint-heap.ts';

/** Offsets 1 (record 'a') and 2 (record 'b') finished out of order, nothing committed. */
function twoFinished(): OffsetWatermark {
  const mark = new OffsetWatermark();
  mark.track(1n, 'a');
  mark.track(2n, 'b');
  mark.complete(2n);
  mark.complete(1n);
  return mark;
}

describe('OffsetWatermark', () => {
  test('nothing tracked: nothing to commit', () => {
    const mark = new OffsetWatermark();
    assert.equal(mark.committable(), null);
    assert.equal(mark.inFlight, 0);
  });

  test('in-order completion commits last completed + 1', () => {
    const mark = new OffsetWatermark();
    mark.track(10n);
    assert.equal(mark.committable(), 10n, 'the unfinished message is re-read after a crash');
    mark.complete(10n);
    assert.equal(mark.committable(), 11n);
    mark.track(11n);
    mark.track(12n);
    mark.complete(11n);
    assert.equal(mark.committable(), 12n);
    mark.complete(12n);
    assert.equal(mark.committable(), 13n);
  });

  test('a slow message holds the commit at its offset while later ones finish', () => {
    const mark = new OffsetWatermark();
    for (let o = 0n; o < 5n; o++) mark.track(o);
    for (const o of [4n, 3n, 2n, 0n]) mark.complete(o);
    assert.equal(mark.committable(), 1n);
    assert.equal(mark.inFlight, 1);
    assert.equal(mark.lowestInFlight, 1n);
    mark.complete(1n);
    assert.equal(mark.committable(), 5n);
    assert.equal(mark.lowestInFlight, null);
  });

  test('gaps in offsets (compaction, transaction markers) are fine', () => {
    const mark = new OffsetWatermark();
    mark.track(5n);
    mark.track(9n);
    mark.complete(5n);
    assert.equal(mark.committable(), 9n);
    mark.complete(9n);
    assert.equal(mark.committable(), 10n);
  });

  test('tracking an offset already in flight is a no-op; completing an unknown one is ignored', () => {
    const mark = new OffsetWatermark();
    assert.equal(mark.track(1n), true);
    assert.equal(mark.track(1n), false);
    assert.equal(mark.inFlight, 1);
    assert.equal(mark.complete(7n), false);
    assert.equal(mark.complete(1n), true);
    assert.equal(mark.complete(1n), false, 'double completion');
    assert.equal(mark.committable(), 2n);
  });

  test('a finished record fetched again (a group rejoin) is not tracked twice until a commit covers it', () => {
    const mark = twoFinished();
    assert.equal(mark.finishedUncommitted, 2);
    assert.equal(mark.track(1n, 'a'), false, 'same record at the same offset: done already');
    assert.equal(mark.track(2n, 'b'), false);
    assert.equal(mark.committable(), 3n, 'the commit point does not move back');
    mark.committed(2n);
    assert.equal(mark.finishedUncommitted, 1, 'below the commit: forgotten');
    assert.equal(mark.track(1n, 'a'), true, 'fetched again below a commit only by a seek, which asks for it again');
  });

  test('another record at a finished offset (log truncated and rewritten) is new work and pulls the commit back', () => {
    const mark = twoFinished();
    assert.equal(mark.track(2n, 'other'), true);
    assert.equal(mark.committable(), 2n);
    mark.complete(2n);
    assert.equal(mark.committable(), 3n);
    assert.equal(mark.track(2n, 'other'), false, 'and is then remembered by its own fingerprint');
  });

  test('reset forgets everything; late completions are harmless', () => {
    const mark = new OffsetWatermark();
    mark.track(1n);
    mark.track(2n);
    mark.complete(2n);
    mark.reset();
    assert.equal(mark.complete(1n), false);
    assert.equal(mark.committable(), null);
    assert.equal(mark.track(2n), true, 'finished offsets are forgotten too');
  });

  test('offsets must be non-negative bigints', () => {
    const mark = new OffsetWatermark();
    assert.throws(() => mark.track(-1n), RangeError);
    assert.throws(() => mark.track(3 as unknown as bigint), RangeError);
  });

  test('matches a simple model under random out-of-order completion with many in flight', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const mark = new OffsetWatermark();
    const open: bigint[] = [];
    let next = 0n;
    let highestDone: bigint | null = null;
    for (let step = 0; step < 20_000; step++) {
      if (open.length < 500 && (open.length === 0 || random(3) > 0)) {
        next += BigInt(1 + random(3));
        mark.track(next);
        open.push(next);
      } else {
        const [done] = open.splice(random(open.length), 1) as [bigint];
        mark.complete(done);
        if (highestDone === null || done > highestDone) highestDone = done;
      }
      const expected: bigint | null = open.length > 0 ? open.reduce((a, b) => (b < a ? b : a)) : highestDone === null ? null : highestDone + 1n;
      assert.equal(mark.committable(), expected, `step ${step}`);
      assert.equal(mark.inFlight, open.length);
    }
  });

  test('throughput with 10,000 in flight, completed out of order (printed, not asserted)', (t) => {
    const mark = new OffsetWatermark();
    const window = 10_000;
    const total = 500_000;
    const open: bigint[] = [];
    let seed = 1;
    const started = process.hrtime.bigint();
    for (let o = 0; o < total; o++) {
      const offset = BigInt(o);
      mark.track(offset);
      open.push(offset);
      if (open.length > window) {
        // Complete a random in-flight offset (swap-remove keeps the bookkeeping O(1)).
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const i = seed % open.length;
        const done = open[i] as bigint;
        open[i] = open[open.length - 1] as bigint;
        open.pop();
        mark.complete(done);
      }
      // The commit loop: what a commit covers is forgotten.
      if (o % 10_000 === 0) mark.committed(mark.committable() ?? 0n);
    }
    const ns = Number(process.hrtime.bigint() - started);
    assert.equal(mark.inFlight, window);
    t.diagnostic(`track+complete: ${Math.round((total / ns) * 1e9).toLocaleString('en')} pairs/s with ${window} in flight, random completion order`);
  });
});

describe('OffsetWatermark release (work cancelled before it started)', () => {
  test('a released offset holds the commit back and is tracked again when fetched again', () => {
    const mark = new OffsetWatermark();
    for (let o = 0n; o < 4n; o++) mark.track(o, `r${o}`);
    mark.complete(0n);
    mark.complete(3n);
    assert.equal(mark.release(1n), true);
    assert.equal(mark.release(2n), true);
    assert.equal(mark.inFlight, 0, 'released offsets are not being worked on');
    assert.equal(mark.committable(), 1n, 'never done: the commit stays below them');
    // Fetched again from the commit: the released ones are new work, the finished one a repeat.
    assert.equal(mark.track(1n, 'r1'), true);
    assert.equal(mark.track(2n, 'r2'), true);
    assert.equal(mark.track(3n, 'r3'), false);
    assert.equal(mark.inFlight, 2);
    mark.complete(1n);
    mark.complete(2n);
    assert.equal(mark.committable(), 4n);
  });

  test('only an in-flight offset can be released', () => {
    const mark = new OffsetWatermark();
    assert.equal(mark.release(5n), false);
    mark.track(5n);
    mark.complete(5n);
    assert.equal(mark.release(5n), false);
    assert.equal(mark.committable(), 6n);
  });
});

describe('BigIntMinHeap', () => {
  test('pops in ascending order', () => {
    const heap = new BigIntMinHeap();
    const values = [5n, 3n, 9n, 1n, 1n, 7n, 0n, 12n, 4n];
    for (const v of values) heap.push(v);
    const out: bigint[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    assert.deepEqual(
      out,
      [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    assert.equal(heap.size, 0);
  });
});
