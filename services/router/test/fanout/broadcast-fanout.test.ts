// Produce batches of a round with broadcast tasks: order kept, at most batchSize broadcast tasks per
// request, other records never cut a batch; the pacer's arithmetic on a driven clock (no real time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planProduceBatches } from '../../src/fanout/broadcast-fanout.ts';
import { RatePacer } from '../../src/fanout/rate-pacer.ts';
import type { OutgoingRecord } from '../../src/routing/route-event.ts';

const record = (name: string, broadcast: boolean): OutgoingRecord => ({
  topic: name,
  key: Buffer.from(name),
  value: Buffer.alloc(0),
  headers: {},
  ...(broadcast ? { broadcast: true as const } : {}),
});

test('planProduceBatches cuts after every batchSize broadcast tasks and keeps record order', () => {
  const records = [
    record('n1', false),
    record('b1', true),
    record('b2', true),
    record('n2', false),
    record('b3', true),
    record('b4', true),
    record('b5', true),
    record('n3', false),
  ];
  const batches = planProduceBatches(records, 2);
  assert.deepEqual(
    batches.map((b) => [b.records.map((r) => r.topic), b.broadcastTasks]),
    [
      [['n1', 'b1', 'b2'], 2],
      [['n2', 'b3', 'b4'], 2],
      [['b5', 'n3'], 1],
    ],
  );
  assert.deepEqual(
    batches.flatMap((b) => b.records),
    records,
    'nothing lost, nothing reordered',
  );
  assert.deepEqual(
    planProduceBatches([record('n1', false), record('n2', false)], 2).map((b) => b.records.length),
    [2],
    'no broadcast: one batch',
  );
  assert.deepEqual(planProduceBatches([], 2), []);
});

test('RatePacer: a burst goes at once, then the rate is held; 0 = unlimited', async () => {
  let now = 0;
  const slept: number[] = [];
  const pacer = new RatePacer({
    ratePerS: 100,
    burst: 10,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  await pacer.take(10);
  assert.deepEqual(slept, [], 'the first batch fills the burst');
  await pacer.take(10);
  assert.deepEqual(slept, [100], '10 tasks at 100/s wait 100 ms');
  now += 1000;
  await pacer.take(5);
  assert.deepEqual(slept, [100], 'refilled (capped at the burst) after a quiet second');
  await Promise.all([pacer.take(10), pacer.take(10)]);
  assert.deepEqual(slept, [100, 50, 100], 'concurrent takers queue: 5 tokens left, then a full wait');

  const unlimited = new RatePacer({ ratePerS: 0, burst: 1, sleep: () => Promise.reject(new Error('must not sleep')) });
  await unlimited.take(1_000_000);
});
