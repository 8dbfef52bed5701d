// ProcessorIndex groups processors by (app_id, topic_id) and keeps an unchanged processor's compiled
// filters across reloads (same dispatcher_id and version), recompiling only what changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessorRecord } from '@eventyard/db';
import { ProcessorIndex } from '../../src/config-cache/processor-index.ts';

const record = (dispatcherId: string, version: number, extra: Partial<ProcessorRecord> = {}): ProcessorRecord =>
  ({
    dispatcher_id: dispatcherId,
    app_id: 'shop',
    topic_id: 'order',
    is_stop: false,
    paused: false,
    filter_tag: {},
    filter: null,
    delay_process_key: '',
    version,
    ...extra,
  }) as ProcessorRecord;

test('targets are grouped by app and topic; other topics see none', () => {
  const index = ProcessorIndex.build([record('a', 1), record('b', 1, { topic_id: 'payment' }), record('c', 1, { app_id: 'blog' })]);
  assert.deepEqual(
    index.targetsOf('shop', 'order').map((t) => t.dispatcherId),
    ['a'],
  );
  assert.deepEqual(
    index.targetsOf('shop', 'payment').map((t) => t.deliveryTopic),
    ['eventyard.deliveries.b'],
  );
  assert.deepEqual(index.targetsOf('shop', 'nothing'), []);
});

test('a reload reuses unchanged processors and recompiles changed ones', () => {
  const first = ProcessorIndex.build([record('a', 1, { filter: { x: 1 } }), record('bad', 1, { filter: { $nope: 1 } }), record('b', 1)]);
  const second = ProcessorIndex.build(
    [record('a', 1, { filter: { x: 1 } }), record('bad', 1, { filter: { $nope: 1 } }), record('b', 2, { is_stop: true })],
    first,
  );
  const [a1, bad1, b1] = first.targets;
  const [a2, bad2, b2] = second.targets;
  assert.equal(a2, a1, 'same version: same compiled target');
  assert.equal(bad2, bad1);
  assert.deepEqual(
    second.filterProblems.map((p) => p.dispatcherId),
    ['bad'],
    'a reused bad filter is still reported',
  );
  assert.notEqual(b2, b1);
  assert.equal(b2?.active, false);
});
