// The start-up collection gives back a heap that garbage grew, without leaving `gc` exposed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import { collectGarbage, scheduleStartupCollection } from '../src/startup-gc.ts';
import { silentLogger } from '../src/logger.ts';

const MB = 1024 * 1024;

/** Grows the heap by about `mb` MB of live objects, then drops them: garbage V8 has not collected yet. */
function growThenDrop(mb: number): number {
  let keep: { n: number; s: string }[] | undefined = [];
  for (let i = 0; i < mb * 10_000; i++) keep.push({ n: i, s: `item ${i}` });
  const grown = process.memoryUsage().heapTotal;
  keep = undefined;
  return grown;
}

test('collectGarbage shrinks a heap that garbage grew', () => {
  const grown = growThenDrop(60);
  collectGarbage();
  const after = process.memoryUsage().heapTotal;
  assert.ok(after < grown - 20 * MB, `heap total ${(grown / MB).toFixed(1)} MB → ${(after / MB).toFixed(1)} MB`);
});

test('no context sees a gc global afterwards', () => {
  collectGarbage();
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  assert.equal(runInNewContext('typeof gc'), 'undefined');
});

test('scheduleStartupCollection collects once its delay is up', async () => {
  const grown = growThenDrop(60);
  scheduleStartupCollection(silentLogger(), 0);
  await sleep(50);
  const after = process.memoryUsage().heapTotal;
  assert.ok(after < grown - 20 * MB, `heap total ${(grown / MB).toFixed(1)} MB → ${(after / MB).toFixed(1)} MB`);
});
