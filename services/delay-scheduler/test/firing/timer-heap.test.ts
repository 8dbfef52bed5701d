// The in-memory wheel's ordering: pops come out earliest first whatever the insertion order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimerHeap } from '../../src/firing/timer-heap.ts';

test('pops entries in fireAt order, ties included', () => {
  const heap = new TimerHeap();
  const times = Array.from({ length: 500 }, (_, i) => (i * 7919) % 211);
  times.forEach((fireAt, i) => heap.push({ fireAt, id: `t${i}` }));
  assert.equal(heap.size, 500);
  assert.equal(heap.peek()?.fireAt, 0);
  const popped: number[] = [];
  for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) popped.push(entry.fireAt);
  assert.deepEqual(
    popped,
    [...times].sort((a, b) => a - b),
  );
  assert.equal(heap.size, 0);
  assert.equal(heap.pop(), undefined);
});

test('clear empties the heap', () => {
  const heap = new TimerHeap();
  heap.push({ fireAt: 2, id: 'a' });
  heap.push({ fireAt: 1, id: 'b' });
  heap.clear();
  assert.equal(heap.peek(), undefined);
});
