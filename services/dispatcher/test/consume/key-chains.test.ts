// Per-key chains: one key runs in order, others in parallel, failures do not stop the chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyChains } from '../../src/consume/key-chains.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('same key waits for the previous work; other keys and null keys do not', async () => {
  const chains = new KeyChains();
  const log: string[] = [];
  const first = deferred();
  const a1 = chains.run('a', async () => {
    log.push('a1 start');
    await first.promise;
    log.push('a1 end');
  });
  const a2 = chains.run('a', async () => {
    log.push('a2');
  });
  const b1 = chains.run('b', async () => {
    log.push('b1');
  });
  const n1 = chains.run(null, async () => {
    log.push('n1');
  });
  await Promise.all([b1, n1]);
  assert.deepEqual(log, ['a1 start', 'b1', 'n1']);
  first.resolve();
  await Promise.all([a1, a2]);
  assert.deepEqual(log, ['a1 start', 'b1', 'n1', 'a1 end', 'a2']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(chains.size, 0, 'finished chains are forgotten');
});

test('a failed work rejects its own promise and lets the next one run', async () => {
  const chains = new KeyChains();
  const failing = chains.run('k', () => Promise.reject(new Error('boom')));
  let ran = false;
  const next = chains.run('k', async () => {
    ran = true;
  });
  await assert.rejects(failing, /boom/);
  await next;
  assert.equal(ran, true);
});
