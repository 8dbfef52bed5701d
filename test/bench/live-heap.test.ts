// bench/soak/live-heap.ts with heap-probe.ts: the live heap of another process after a forced GC.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { HEAP_PROBE_NODE_OPTIONS, liveHeap } from '../../bench/soak/live-heap.ts';

const MB = 1024 * 1024;

// Keeps ~40 MB reachable and makes garbage all the time (its old generation may hold a lot of it).
const CHILD = `
globalThis.kept = Array.from({ length: 40 }, () => new Array(MB_WORDS).fill(1.5));
setInterval(() => { globalThis.last = new Array(MB_WORDS).fill(2.5); }, 2);
console.log('ready');
`.replaceAll('MB_WORDS', String(MB / 8));

test('liveHeap counts what is reachable, not the garbage, round after round', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ey-live-heap-'));
  const child = spawn(process.execPath, ['-e', CHILD], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: HEAP_PROBE_NODE_OPTIONS, SOAK_HEAP_DIR: dir },
  });
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await once(child.stdout, 'data');
  for (let round = 0; round < 10; round++) {
    const heap = await liveHeap(child.pid ?? 0, dir);
    assert.ok(heap !== undefined, `round ${round}: the probe answered`);
    assert.ok(heap.heapUsedBytes >= 40 * MB, `round ${round}: the kept 40 MB are live: ${heap.heapUsedBytes / MB} MB`);
    assert.ok(heap.heapUsedBytes < 60 * MB, `round ${round}: the garbage is not: ${heap.heapUsedBytes / MB} MB`);
  }
  assert.equal(child.exitCode, null, 'the process lives on');
});

test('liveHeap is undefined for a process that is gone', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  assert.equal(await liveHeap(child.pid ?? 0, tmpdir(), 500), undefined);
});
