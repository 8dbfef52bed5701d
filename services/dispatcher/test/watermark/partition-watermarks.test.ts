// Commits that are due across partitions, in kafkajs form, only when they advanced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionWatermarks } from '../../src/watermark/index.ts';

test('reports each partition once its commit point advances, and not again until it moves', () => {
  const marks = new PartitionWatermarks();
  const a0 = marks.of('eventyard.deliveries.a', 0);
  const a1 = marks.of('eventyard.deliveries.a', 1);
  assert.equal(marks.of('eventyard.deliveries.a', 0), a0, 'same watermark on second lookup');
  a0.track(100n);
  a0.track(101n);
  a1.track(7n);
  a0.complete(101n);
  assert.equal(marks.inFlight, 2);
  let due = marks.pendingCommits();
  assert.deepEqual(due, [
    { topic: 'eventyard.deliveries.a', partition: 0, offset: '100' },
    { topic: 'eventyard.deliveries.a', partition: 1, offset: '7' },
  ]);
  marks.markCommitted(due);
  assert.deepEqual(marks.pendingCommits(), []);
  a0.complete(100n);
  due = marks.pendingCommits();
  assert.deepEqual(due, [{ topic: 'eventyard.deliveries.a', partition: 0, offset: '102' }]);
  assert.equal(a0.finishedUncommitted, 2, 'finished, remembered for re-fetches');
  marks.markCommitted(due);
  assert.equal(a0.finishedUncommitted, 0, 'a commit covering them lets them go');
  assert.deepEqual(marks.pendingCommits(), []);
});

test('a dropped partition is forgotten and its old watermark reset', () => {
  const marks = new PartitionWatermarks();
  const mark = marks.of('t', 3);
  mark.track(1n);
  marks.drop('t', 3);
  assert.equal(mark.complete(1n), false);
  assert.deepEqual(marks.pendingCommits(), []);
  assert.equal(marks.inFlight, 0);
  marks.markCommitted([{ topic: 't', partition: 3, offset: '9' }]);
  assert.notEqual(marks.of('t', 3), mark, 'a fresh watermark after re-assignment');
});
