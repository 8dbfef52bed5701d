import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRealCalendarDay, parseRfc3339 } from '../src/times.ts';

test('isRealCalendarDay knows month lengths and leap years', () => {
  for (const day of ['2026-01-31', '2028-02-29', '2000-02-29', '2026-12-01T00:00:00Z']) assert.equal(isRealCalendarDay(day), true, day);
  for (const day of ['2026-02-29', '2100-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', 'yesterday', ''])
    assert.equal(isRealCalendarDay(day), false, day);
});

test('parseRfc3339 reads RFC 3339 with a zone and refuses what Date alone would guess at or roll over', () => {
  assert.equal(parseRfc3339('2026-01-31T12:00:00Z')?.toISOString(), '2026-01-31T12:00:00.000Z');
  assert.equal(parseRfc3339('2026-01-31 12:00:00.5+02:00')?.toISOString(), '2026-01-31T10:00:00.500Z');
  assert.equal(parseRfc3339('2026-01-31t12:00:00z')?.toISOString(), '2026-01-31T12:00:00.000Z');
  for (const bad of [
    '2026-02-30T00:00:00Z',
    '2026-01-31',
    '2026-01-31T12:00:00',
    '2026-01-31T12:00Z',
    '1769860800000',
    'Jan 31 2026',
    '2026-01-31T23:61:00Z',
  ]) {
    assert.equal(parseRfc3339(bad), undefined, bad);
  }
});
