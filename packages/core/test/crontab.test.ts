import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstOccurrenceMs, nextOccurrenceMs, occurrenceMs, parseCrontab, parseGoDuration, repeatPlanOf, type RepeatTriggerLike } from '../src/crontab.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

function trigger(over: Partial<RepeatTriggerLike>): RepeatTriggerLike {
  return {
    begin_time: null,
    end_type: 2,
    repeat_end: { repeat_times: 0, end_time: null },
    pulser_type: 1,
    regular_pulser: { interval: { seconds: '1', nanos: 0 } },
    crontab_pulser: null,
    ...over,
  };
}

function plan(over: Partial<RepeatTriggerLike>, nowMs = NOW) {
  const result = repeatPlanOf(trigger(over), nowMs);
  assert.ok(result.ok, result.ok ? '' : result.problem);
  return result.plan;
}

describe('parseCrontab', () => {
  it('accepts 5-field, 6-field, descriptors, @every and a time zone prefix', () => {
    assert.deepEqual(parseCrontab('*/5 * * * *'), { ok: true, crontab: { kind: 'cron', pattern: '*/5 * * * *', timezone: undefined } });
    assert.equal(parseCrontab('*/2 * * * * *').ok, true);
    assert.equal(parseCrontab('@hourly').ok, true);
    assert.deepEqual(parseCrontab('@every 1h30m'), { ok: true, crontab: { kind: 'every', intervalMs: 5_400_000, timezone: undefined } });
    assert.deepEqual(parseCrontab('CRON_TZ=Asia/Shanghai 0 9 * * *'), { ok: true, crontab: { kind: 'cron', pattern: '0 9 * * *', timezone: 'Asia/Shanghai' } });
  });

  it('says what is wrong with a bad crontab', () => {
    assert.equal(parseCrontab('').ok, false);
    assert.match(problem('61 * * * *'), /not a valid crontab/);
    assert.match(problem('@every 500ms'), /under 1s/);
    assert.match(problem('@every soon'), /invalid @every/);
    assert.match(problem('TZ=Mars/Base 0 * * * *'), /unknown time zone/);
    assert.match(problem('0 0 30 2 *'), /never fires/);
  });

  it('reads Go durations', () => {
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('2m'), 120_000);
    assert.equal(parseGoDuration('-1s'), undefined);
  });
});

function problem(spec: string): string {
  const result = parseCrontab(spec);
  assert.equal(result.ok, false);
  return result.ok ? '' : result.problem;
}

describe('repeat occurrences', () => {
  it('interval: occurrence n is due at begin + n·interval, without drift', () => {
    const begin = NOW + 10_000;
    const p = plan({ begin_time: ts(begin), regular_pulser: { interval: { seconds: '2', nanos: 500_000_000 } } });
    assert.equal(firstOccurrenceMs(p), begin);
    assert.equal(occurrenceMs(p, 4), begin + 4 * 2500);
    // However late occurrence 3 fired, occurrence 4 is computed from occurrence 3's due time.
    assert.equal(nextOccurrenceMs(p, 3, begin + 3 * 2500), begin + 4 * 2500);
  });

  it('begin_time absent, zero or in the past starts now', () => {
    assert.equal(firstOccurrenceMs(plan({})), NOW);
    assert.equal(firstOccurrenceMs(plan({ begin_time: { seconds: '0', nanos: 0 } })), NOW);
    assert.equal(firstOccurrenceMs(plan({ begin_time: ts(NOW - 60_000) })), NOW);
  });

  it('ends by count: repeat_times is the total number of occurrences, 0 unbounded', () => {
    const p = plan({ repeat_end: { repeat_times: 3, end_time: null } });
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => occurrenceMs(p, n)),
      [NOW, NOW + 1000, NOW + 2000, undefined],
    );
    assert.equal(nextOccurrenceMs(p, 2, NOW + 2000), undefined);
    assert.equal(occurrenceMs(plan({}), 10_000), NOW + 10_000_000);
  });

  it('ends by time: no occurrence after end_time', () => {
    const p = plan({ end_type: 1, repeat_end: { repeat_times: 0, end_time: ts(NOW + 2000) } });
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => occurrenceMs(p, n)),
      [NOW, NOW + 1000, NOW + 2000, undefined],
    );
    assert.equal(firstOccurrenceMs(plan({ end_type: 1, repeat_end: { repeat_times: 0, end_time: ts(NOW - 1) } })), undefined);
  });

  it('5-field cron: the first occurrence is the first cron time at or after begin', () => {
    const p = plan({ pulser_type: 2, crontab_pulser: { crontab: '*/15 * * * *' }, begin_time: ts(Date.UTC(2026, 0, 1, 12, 7, 3)) });
    assert.equal(firstOccurrenceMs(p), Date.UTC(2026, 0, 1, 12, 15));
    assert.equal(occurrenceMs(p, 2), Date.UTC(2026, 0, 1, 12, 45));
    const onBoundary = plan({ pulser_type: 2, crontab_pulser: { crontab: '*/15 * * * *' }, begin_time: ts(Date.UTC(2026, 0, 1, 12, 30)) });
    assert.equal(firstOccurrenceMs(onBoundary), Date.UTC(2026, 0, 1, 12, 30));
  });

  it('6-field cron with seconds steps on second boundaries, strictly after the previous', () => {
    const p = plan({ pulser_type: 2, crontab_pulser: { crontab: '*/2 * * * * *' }, begin_time: ts(Date.UTC(2026, 0, 1, 12, 0, 1, 500)) });
    assert.deepEqual(
      [0, 1, 2].map((n) => occurrenceMs(p, n)),
      [Date.UTC(2026, 0, 1, 12, 0, 2), Date.UTC(2026, 0, 1, 12, 0, 4), Date.UTC(2026, 0, 1, 12, 0, 6)],
    );
  });

  it("cron with a time zone fires on that zone's wall clock", () => {
    const p = plan({ pulser_type: 2, crontab_pulser: { crontab: 'CRON_TZ=Asia/Shanghai 0 9 * * *' }, begin_time: ts(Date.UTC(2026, 0, 1, 12)) });
    assert.equal(firstOccurrenceMs(p), Date.UTC(2026, 0, 2, 1)); // 09:00 in UTC+8
  });

  it('@every is an interval from begin', () => {
    const p = plan({ pulser_type: 2, crontab_pulser: { crontab: '@every 90s' }, begin_time: ts(NOW + 1000), repeat_end: { repeat_times: 2, end_time: null } });
    assert.deepEqual(
      [0, 1, 2].map((n) => occurrenceMs(p, n)),
      [NOW + 1000, NOW + 91_000, undefined],
    );
  });

  it('refuses what cannot be scheduled, with enum names accepted too', () => {
    assert.equal(repeatPlanOf(trigger({ end_type: 0 }), NOW).ok, false);
    assert.equal(repeatPlanOf(trigger({ pulser_type: 0 }), NOW).ok, false);
    assert.equal(repeatPlanOf(trigger({ regular_pulser: { interval: { seconds: '0', nanos: 10 } } }), NOW).ok, false);
    assert.equal(repeatPlanOf(trigger({ end_type: 1, repeat_end: null }), NOW).ok, false);
    assert.equal(repeatPlanOf(trigger({ pulser_type: 2, crontab_pulser: { crontab: 'nope' } }), NOW).ok, false);
    assert.equal(repeatPlanOf(trigger({ end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT', pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL' }), NOW).ok, true);
  });
});

describe('cron time zone', () => {
  it('reads a crontab without CRON_TZ in UTC, whatever the host zone', () => {
    const p = plan({ pulser_type: 2, crontab_pulser: { crontab: '0 9 * * *' }, begin_time: ts(Date.UTC(2026, 0, 1, 12)) });
    assert.equal(firstOccurrenceMs(p), Date.UTC(2026, 0, 2, 9));
  });
});
