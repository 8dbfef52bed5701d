// The benches' /proc reader splits a process's CPU into its main thread's and the rest: CPU burnt on a
// worker thread counts in the process and not in its main thread, and groups without one main thread
// (Postgres and its backends) are left out. CPU seconds are compared, never wall-clock timings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { sampleCpu, sampleMainThreads } from '../../bench/e2e/cpu-time.ts';

/** Keeps this thread busy for `ms` of CPU time (process.threadCpuUsage counts this thread only). */
function spinMainThread(ms: number): void {
  const start = process.threadCpuUsage();
  while ((process.threadCpuUsage(start).user + process.threadCpuUsage(start).system) / 1000 < ms);
}

test('a worker thread’s CPU counts in its process, not in the main thread', async () => {
  const groups = { self: { pid: process.pid }, tree: { pid: process.pid, withDescendants: true } };
  const before = { all: sampleCpu(groups).get('self') ?? 0, main: sampleMainThreads(groups).get('self') ?? 0 };
  assert.equal(sampleMainThreads(groups).has('tree'), false, 'a group with descendants has no one main thread');

  // 300 ms of CPU on another thread while this one waits in the event loop, then 100 ms on this one.
  const worker = new Worker(`const t = process.threadCpuUsage(); while ((process.threadCpuUsage(t).user + process.threadCpuUsage(t).system) / 1000 < 300);`, {
    eval: true,
  });
  await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
  spinMainThread(100);

  const all = (sampleCpu(groups).get('self') ?? 0) - before.all;
  const main = (sampleMainThreads(groups).get('self') ?? 0) - before.main;
  // /proc counts in clock ticks of 10 ms; the margins are a few ticks either way.
  assert.ok(main >= 0.08, `main thread ${main} s`);
  assert.ok(all - main >= 0.25, `process ${all} s, main thread ${main} s: the worker's 0.3 s should be outside the main thread`);
  assert.equal(sampleMainThreads({ gone: { pid: 2 ** 22 + 1 } }).get('gone'), 0, 'a process that is gone reads 0');
});
