// Retry-After parsing: delay-seconds and the three HTTP-date forms; garbage is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../src/outcome/index.ts';

const now = Date.parse('1994-11-06T08:49:00Z');

test('delay-seconds', () => {
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter(' 30 ', now), 30_000);
  assert.equal(parseRetryAfter('99999999999999999999', now), Number.MAX_SAFE_INTEGER);
});

test('IMF-fixdate, RFC 850 and asctime dates (asctime read as GMT)', () => {
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 37_000);
  assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 37_000);
  assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994', now), 37_000);
});

test('a date in the past gives 0', () => {
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now), 0);
});

test('absent or unreadable values give undefined', () => {
  for (const value of [undefined, '', '1.5', '-5', 'soon', '+5', '5 apples', 'Mon, not a date']) {
    assert.equal(parseRetryAfter(value, now), undefined, String(value));
  }
});
