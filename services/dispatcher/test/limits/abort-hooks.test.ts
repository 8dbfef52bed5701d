import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onAbort } from '../../src/limits/abort-hooks.ts';

test('every hook still registered runs once when its signal aborts; unhooked ones and other signals do not', () => {
  const controller = new AbortController();
  const other = new AbortController();
  const calls: string[] = [];
  const unhooks = Array.from({ length: 1000 }, (_, i) => onAbort(controller.signal, () => calls.push(`a${i}`)));
  onAbort(other.signal, () => calls.push('other'));
  const same = (): void => void calls.push('same');
  onAbort(controller.signal, same);
  onAbort(controller.signal, same);
  for (let i = 0; i < 1000; i += 2) unhooks[i]?.();
  controller.abort();
  controller.abort();
  assert.equal(calls.filter((c) => c.startsWith('a')).length, 500);
  assert.ok(calls.every((c) => c !== 'a0' && c !== 'other'));
  assert.equal(calls.filter((c) => c === 'same').length, 2);
  // Registered after the abort: never runs (callers check signal.aborted first), and unhooking is harmless.
  const late = onAbort(controller.signal, () => calls.push('late'));
  late();
  assert.ok(!calls.includes('late'));
});
