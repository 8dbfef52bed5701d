import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdGenerator, decodeEventId, EPOCH_MS, MAX_NODE_ID, isEventyardError } from '../src/index.ts';

test('ids are decimal, at most 19 digits, strictly increasing, and decode to their parts', () => {
  const gen = new IdGenerator({ nodeId: 7 });
  let previous = 0n;
  const before = Date.now();
  for (let i = 0; i < 20_000; i++) {
    const id = gen.next();
    assert.match(id, /^[1-9]\d{0,18}$/);
    assert.ok(BigInt(id) > previous, 'strictly increasing');
    previous = BigInt(id);
  }
  const decoded = decodeEventId(previous.toString());
  assert.equal(decoded.nodeId, 7);
  assert.ok(decoded.timestampMs >= before - 1);
});

test('a clock that stands still or steps back never repeats or decreases an id', () => {
  const times = [EPOCH_MS + 5000, EPOCH_MS + 5000, EPOCH_MS + 4000, EPOCH_MS + 4000];
  let i = 0;
  const gen = new IdGenerator({ nodeId: 1, now: () => times[Math.min(i++, times.length - 1)] ?? 0 });
  const ids = Array.from({ length: 6000 }, () => BigInt(gen.next()));
  for (let k = 1; k < ids.length; k++) assert.ok((ids[k] ?? 0n) > (ids[k - 1] ?? 0n));
  // 6000 ids in a frozen millisecond overflow the 4096 sequence: the generator borrows the next millisecond.
  assert.equal(decodeEventId(String(ids.at(-1))).timestampMs, EPOCH_MS + 5001);
});

test('the largest id fits in 19 digits and a signed int64', () => {
  const gen = new IdGenerator({ nodeId: MAX_NODE_ID, now: () => EPOCH_MS + 2 ** 41 - 1 });
  const id = gen.next();
  assert.ok(id.length <= 19);
  assert.ok(BigInt(id) <= 0x7fff_ffff_ffff_ffffn);
});

test('bad node ids and bad event ids are refused with clear errors', () => {
  assert.throws(() => new IdGenerator({ nodeId: 1024 }), /nodeId must be an integer in \[0, 1023\]/);
  for (const bad of ['', '0', '-1', 'abc', '12345678901234567890', '9223372036854775808']) {
    assert.throws(
      () => decodeEventId(bad),
      (err: unknown) => isEventyardError(err) && err.message === 'event_id must be a decimal 64-bit event id (1-19 digits)',
      bad,
    );
  }
});
