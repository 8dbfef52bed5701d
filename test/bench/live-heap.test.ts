// bench/soak/live-heap.ts: the live heap of another process, read over its inspector after a forced GC.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import test from 'node:test';
import { liveHeap } from '../../bench/soak/live-heap.ts';

const MB = 1024 * 1024;

// Keeps ~40 MB reachable, and leaves ~200 MB of garbage (its old generation is allowed to hold it).
const CHILD = `
globalThis.kept = Array.from({ length: 40 }, () => new Array(MB_WORDS).fill(1.5));
for (let i = 0; i < 200; i++) globalThis.last = new Array(MB_WORDS).fill(2.5);
console.log('ready');
setInterval(() => {}, 1000);
`.replaceAll('MB_WORDS', String(MB / 8));

test('liveHeap counts what is reachable, not the garbage, and can read the same process twice', async (t) => {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => child.kill('SIGKILL'));
  await once(child.stdout, 'data');
  const first = await liveHeap(child.pid ?? 0);
  assert.ok(first !== undefined, 'the inspector answered');
  assert.ok(first.heapUsedBytes >= 40 * MB, `the kept 40 MB are live: ${first.heapUsedBytes / MB} MB`);
  assert.ok(first.heapUsedBytes < 80 * MB, `the 200 MB of garbage are not: ${first.heapUsedBytes / MB} MB`);
  const second = await liveHeap(child.pid ?? 0);
  assert.ok(second !== undefined && second.heapUsedBytes >= 40 * MB, 'the inspector reopens after it was closed');
});

test('liveHeap is undefined for a process that is gone', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  assert.equal(await liveHeap(child.pid ?? 0, 500), undefined);
});
