// Watch stream positions (SSE ids): text form round trip, and every malformed Last-Event-ID refused with
// EY_WATCH_INVALID_LAST_EVENT_ID naming what is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPosition, parsePosition } from '../../src/watch/stream-position.ts';

test('positions round-trip, partitions in order', () => {
  const position = new Map([
    [2, 9n],
    [0, 12345678901234n],
    [1, 0n],
  ]);
  assert.equal(formatPosition(position), '0:12345678901234,1:0,2:9');
  assert.deepEqual(
    parsePosition('0:12345678901234,1:0,2:9'),
    new Map([
      [0, 12345678901234n],
      [1, 0n],
      [2, 9n],
    ]),
  );
  assert.deepEqual(parsePosition(' 3:4 '), new Map([[3, 4n]]));
});

test('malformed positions are refused with a clear message', () => {
  for (const [text, why] of [
    ['', /expected partition:offset pairs/],
    ['abc', /"abc" is not partition:offset/],
    ['0:1,,1:2', /"" is not partition:offset/],
    ['0:-1', /is not partition:offset/],
    ['0:1,0:2', /partition 0 appears twice/],
  ] as const) {
    assert.throws(
      () => parsePosition(text),
      (err: Error & { code?: string; status?: number }) => {
        assert.equal(err.code, 'EY_WATCH_INVALID_LAST_EVENT_ID');
        assert.equal(err.status, 400);
        assert.match(err.message, why);
        return true;
      },
      text,
    );
  }
});
