// OnDemandTimer: one run per wait however often it is armed, again while work is pending, none after stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnDemandTimer } from '../src/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !check(); await sleep(5)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

test('arms once per wait, re-arms while work is pending, and never runs unarmed or after stop', async () => {
  let runs = 0;
  let left = 0;
  const timer = new OnDemandTimer(
    20,
    async () => {
      runs++;
      if (left > 0) left--;
    },
    () => left > 0,
  );
  await sleep(60);
  assert.equal(runs, 0, 'nothing runs before it is armed');
  timer.arm();
  timer.arm();
  timer.arm();
  await until('the first run', () => runs === 1);
  await sleep(60);
  assert.equal(runs, 1, 'one run for the arms of one wait');
  left = 2;
  timer.arm();
  await until('the pending work done', () => left === 0);
  await sleep(60);
  assert.equal(runs, 3, 'armed again after the run that left work pending, not after the one that left none');
  timer.arm();
  timer.stop();
  timer.arm();
  await sleep(60);
  assert.equal(runs, 3, 'a stopped timer cancels its wait and does not arm again');
});
