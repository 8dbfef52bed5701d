// MicroBatcher: items arriving while a send is in flight share the next one, within the count and
// byte caps; a batch's failure rejects exactly its own items; drain waits for everything; at a high rate
// a batch lingers for company, below it never.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBatcher } from '../../src/publish/micro-batcher.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('the first item goes at once; items queued behind an in-flight send leave together', async () => {
  const sends: Array<{ items: number[]; done: ReturnType<typeof deferred> }> = [];
  const batcher = new MicroBatcher<number>({
    flush: (items) => {
      const done = deferred();
      sends.push({ items, done });
      return done.promise;
    },
    sizeOf: () => 1,
    maxItems: 3,
  });
  const results = [1, 2, 3, 4, 5, 6].map((n) => batcher.add(n));
  assert.deepEqual(
    sends.map((s) => s.items),
    [[1]],
  );
  assert.equal(batcher.pending, 6);
  sends[0]?.done.resolve();
  await results[0];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    sends.map((s) => s.items),
    [[1], [2, 3, 4]],
  );
  sends[1]?.done.resolve();
  await Promise.all(results.slice(1, 4));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sends[2]?.items, [5, 6]);
  const drained = batcher.drain();
  sends[2]?.done.resolve();
  await drained;
  await Promise.all(results);
  assert.equal(batcher.pending, 0);
});

test('a failed batch rejects its own items only', async () => {
  let call = 0;
  const batcher = new MicroBatcher<string>({
    flush: async () => {
      call += 1;
      if (call === 2) throw new Error('broker gone');
    },
    sizeOf: () => 1,
    maxInFlight: 1,
  });
  const first = batcher.add('a');
  const second = batcher.add('b');
  const third = batcher.add('c');
  await first;
  await assert.rejects(second, /broker gone/);
  await assert.rejects(third, /broker gone/);
  await batcher.add('d');
});

test('the byte cap splits batches, and one oversize item still goes alone', async () => {
  const batches: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const batcher = new MicroBatcher<string>({
    flush: async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    },
    sizeOf: (item) => item.length,
    maxBytes: 10,
  });
  const all = ['x', 'aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'e'].map((item) => batcher.add(item));
  release();
  await Promise.all(all);
  assert.deepEqual(batches, [['x'], ['aaaa', 'bbbb'], ['cccc'], ['dddddddddddddddd'], ['e']]);
});

test('several batches may be in flight when allowed', async () => {
  let inFlight = 0;
  let most = 0;
  const batcher = new MicroBatcher<number>({
    flush: async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
    },
    sizeOf: () => 1,
    maxItems: 1,
    maxInFlight: 3,
  });
  await Promise.all(Array.from({ length: 10 }, (_, n) => batcher.add(n)));
  assert.equal(most, 3);
});

test('an aborted item still in the queue is withdrawn and never sent; an item already sent is not', async () => {
  const sent: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const batcher = new MicroBatcher<string>({
    flush: async (items) => {
      sent.push(items);
      if (sent.length === 1) await gate;
    },
    sizeOf: () => 1,
  });
  const inFlight = new AbortController();
  const queued = new AbortController();
  const first = batcher.add('in-flight', inFlight.signal);
  const second = batcher.add('queued', queued.signal);
  const third = batcher.add('kept');
  inFlight.abort(new Error('too late'));
  queued.abort(new Error('timed out'));
  await assert.rejects(second, /timed out/);
  release();
  await first;
  await third;
  await batcher.drain();
  assert.deepEqual(sent, [['in-flight'], ['kept']]);
  const already = new AbortController();
  already.abort(new Error('before'));
  await assert.rejects(batcher.add('never', already.signal), /before/);
  assert.equal(batcher.pending, 0);
});

test('at a high rate a batch waits lingerMs from its oldest item; below the rate, or once full, it leaves at once', async () => {
  const sends: Array<{ items: number[]; at: number }> = [];
  const batcher = new MicroBatcher<number>({
    flush: async (items) => {
      sends.push({ items, at: performance.now() });
    },
    sizeOf: () => 1,
    maxItems: 40,
    lingerMs: 80,
    lingerRate: 100,
  });
  // One item: ~10 per second recently, below the rate.
  await batcher.add(0);
  await batcher.drain();
  assert.deepEqual(
    sends.map((s) => s.items),
    [[0]],
  );
  // Thirty at once (~300 per second): the first finds the batcher idle and goes; the rest wait behind it
  // and then linger for company from the oldest's arrival.
  const poured = performance.now();
  const results = Array.from({ length: 30 }, (_, i) => batcher.add(i + 1));
  await Promise.all(results);
  assert.deepEqual(
    sends.map((s) => s.items.length),
    [1, 1, 29],
  );
  const waited = (sends[2]?.at ?? 0) - poured;
  assert.ok(waited >= 75, `the batch lingered (${waited.toFixed(1)} ms)`);
  // A full batch does not wait: forty arrive while the rate is still high.
  const full = performance.now();
  await Promise.all(Array.from({ length: 41 }, (_, i) => batcher.add(100 + i)));
  assert.deepEqual(
    sends.slice(3).map((s) => s.items.length),
    [40, 1],
  );
  assert.ok((sends[3]?.at ?? Infinity) - full < 75, 'the full batch left without lingering');
  await batcher.drain();
});
