// parseCrontab: the cron forms EvHub users write, and clear refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCrontab, parseGoDuration } from '../../src/report/crontab.ts';

const F = 'crontab';

test('accepts 5-field, 6-field, descriptors, @every and a time zone prefix', () => {
  assert.deepEqual(parseCrontab('*/5 * * * *', F), { kind: 'cron', pattern: '*/5 * * * *', timezone: undefined });
  assert.deepEqual(parseCrontab('30 */5 * * * *', F), { kind: 'cron', pattern: '30 */5 * * * *', timezone: undefined });
  assert.equal(parseCrontab('@hourly', F).kind, 'cron');
  assert.equal(parseCrontab('@daily', F).kind, 'cron');
  assert.deepEqual(parseCrontab('@every 1h30m', F), { kind: 'every', intervalMs: 5_400_000, timezone: undefined });
  assert.deepEqual(parseCrontab('CRON_TZ=Asia/Shanghai 0 9 * * 1-5', F), { kind: 'cron', pattern: '0 9 * * 1-5', timezone: 'Asia/Shanghai' });
  assert.deepEqual(parseCrontab('TZ=UTC @every 90s', F), { kind: 'every', intervalMs: 90_000, timezone: 'UTC' });
});

test('refuses bad patterns with a message naming the field', () => {
  const cases: Array<[string, string]> = [
    ['', 'crontab is required for EVENT_PULSER_TYPE_BY_CRONTAB'],
    [
      'every minute',
      "crontab is not a valid crontab: invalid configuration format ('every minute'), exactly five, six, or seven space separated parts are required.",
    ],
    ['* * * * * * *', "crontab is not a valid crontab: mode '5-or-6-parts' requires exactly 5 or 6 parts, but pattern '* * * * * * *' has 7 parts."],
    ['0 25 * * *', 'crontab is not a valid crontab: Invalid value for hour: 25'],
    ['0 0 31 4 *', 'crontab never fires'],
    ['@every 500ms', 'crontab has an @every interval under 1s'],
    ['@every soon', 'crontab has an invalid @every duration "soon" (expected e.g. 90s, 5m, 1h30m)'],
    ['CRON_TZ=Mars/Olympus * * * * *', 'crontab names an unknown time zone "Mars/Olympus"'],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseCrontab(spec, F), { message }, spec);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('2h45m30s'), 9_930_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration('-5s'), undefined);
});
