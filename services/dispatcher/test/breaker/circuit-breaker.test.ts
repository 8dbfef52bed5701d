// The breaker's state machine on a hand-driven clock: both trip conditions, the half-open probe with
// its exponential backoff, config changes applied at once, and the auto-pause request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT_BREAKER_DEFAULTS, type CircuitBreakerConfig } from '@eventyard/evhub';
import { CircuitBreaker, type BreakerEvent } from '../../src/breaker/index.ts';
import { SlidingWindow } from '../../src/breaker/sliding-window.ts';
import { ManualClock } from '../limits/manual-clock.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');

function harness(overrides: Partial<CircuitBreakerConfig> = {}) {
  const clock = new ManualClock(T0);
  let config: CircuitBreakerConfig = { ...CIRCUIT_BREAKER_DEFAULTS, ...overrides };
  const events: BreakerEvent[] = [];
  const breaker = new CircuitBreaker({ config: () => config, now: () => clock.now(), emit: (event) => events.push(event) });
  const fail = (probe = false) => breaker.record({ probe, failure: 'grpc:UNAVAILABLE' });
  const succeed = (probe = false) => breaker.record({ probe, failure: null });
  const transitions = () => events.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}>${e.to}` : ''));
  return { clock, breaker, events, fail, succeed, transitions, setConfig: (next: Partial<CircuitBreakerConfig>) => (config = { ...config, ...next }) };
}

test('closed: opens after the configured run of consecutive failures; a success resets the run', () => {
  const h = harness({ consecutive_failures: 3, failure_ratio_percent: 0 });
  h.fail();
  h.fail();
  h.succeed();
  h.fail();
  h.fail();
  assert.equal(h.breaker.admit(), 'pass');
  assert.equal(h.breaker.state, 'closed');
  h.fail();
  assert.equal(h.breaker.state, 'open');
  assert.deepEqual(h.transitions(), ['closed>open']);
  const opened = h.events[0];
  assert.ok(opened?.kind === 'transition' && opened.reason.startsWith('3 consecutive failures'), JSON.stringify(opened));
  assert.equal(h.breaker.admit(), 'wait');
  assert.equal(h.breaker.snapshot().nextProbeAt, T0 + 5000);
});

test('closed: opens on the failure ratio only once the window holds min_calls attempts', () => {
  const h = harness({ consecutive_failures: 0, failure_ratio_percent: 50, min_calls: 10, window_ms: 10_000 });
  for (let i = 0; i < 4; i++) {
    h.fail();
    h.succeed();
  }
  h.fail(); // 5 of 9
  assert.equal(h.breaker.state, 'closed', 'fewer than min_calls attempts');
  h.succeed(); // 5 of 10: 50 %
  assert.equal(h.breaker.state, 'closed', 'a success never opens it');
  h.fail(); // 6 of 11
  assert.equal(h.breaker.state, 'open');
});

test('the ratio forgets attempts older than the window', () => {
  const h = harness({ consecutive_failures: 0, failure_ratio_percent: 50, min_calls: 4, window_ms: 6000 });
  h.fail();
  h.fail();
  h.succeed();
  h.clock.advance(7000);
  h.succeed();
  h.succeed();
  h.succeed();
  h.fail(); // 1 of 4 now: the two old failures left the window
  assert.equal(h.breaker.state, 'closed');
  const window = new SlidingWindow(60_000);
  window.record(0, true);
  window.record(30_000, false);
  assert.deepEqual(window.counts(59_000), { calls: 2, failures: 1 });
  assert.deepEqual(window.counts(61_000), { calls: 1, failures: 0 });
});

test('open → half_open when due; one probe at a time; a failed probe doubles the wait up to the cap; a good probe closes it', () => {
  const h = harness({ consecutive_failures: 1, probe_interval_ms: 1000, max_probe_interval_ms: 3000 });
  h.fail();
  assert.equal(h.breaker.admit(), 'wait');
  h.clock.advance(999);
  assert.equal(h.breaker.admit(), 'wait');
  h.clock.advance(1);
  assert.equal(h.breaker.admit(), 'probe');
  assert.equal(h.breaker.state, 'half_open');
  assert.equal(h.breaker.admit(), 'wait', 'only one probe runs');
  h.fail(true);
  assert.equal(h.breaker.state, 'open');
  assert.equal(h.breaker.snapshot().nextProbeAt, h.clock.now() + 2000, 'doubled');
  h.clock.advance(2000);
  assert.equal(h.breaker.admit(), 'probe');
  h.fail(true);
  assert.equal(h.breaker.snapshot().nextProbeAt, h.clock.now() + 3000, 'capped at max_probe_interval_ms');
  h.clock.advance(3000);
  assert.equal(h.breaker.admit(), 'probe');
  h.breaker.releaseProbe();
  assert.equal(h.breaker.admit(), 'probe', 'an abandoned probe lets another attempt probe');
  h.succeed(true);
  assert.equal(h.breaker.state, 'closed');
  assert.equal(h.breaker.admit(), 'pass');
  assert.deepEqual(h.transitions(), [
    'closed>open',
    'open>half_open',
    'half_open>open',
    'open>half_open',
    'half_open>open',
    'open>half_open',
    'half_open>closed',
  ]);
  assert.equal(h.breaker.snapshot().failedProbes, 0);
  // After closing, the backoff starts again from probe_interval_ms.
  h.fail();
  assert.equal(h.breaker.snapshot().nextProbeAt, h.clock.now() + 1000);
});

test('results of attempts started before the breaker opened do not move an open breaker', () => {
  const h = harness({ consecutive_failures: 2 });
  h.fail();
  h.fail();
  h.succeed();
  assert.equal(h.breaker.state, 'open', 'a late success is no probe');
  assert.equal(h.breaker.snapshot().failingSince, null, 'but it ends the failure run');
});

test('disabling the breaker closes it at once; a disabled breaker never opens', () => {
  const h = harness({ consecutive_failures: 1 });
  h.fail();
  assert.equal(h.breaker.state, 'open');
  h.setConfig({ enabled: false });
  assert.equal(h.breaker.admit(), 'pass');
  assert.deepEqual(h.transitions(), ['closed>open', 'open>closed']);
  for (let i = 0; i < 50; i++) h.fail();
  assert.equal(h.breaker.state, 'closed');
});

test('auto-pause is asked once after failing without a success for auto_pause_after_ms, again only after a success', () => {
  const h = harness({ consecutive_failures: 1, probe_interval_ms: 1000, max_probe_interval_ms: 1000, auto_pause_after_ms: 10_000 });
  h.fail();
  for (let i = 0; i < 9; i++) {
    h.clock.advance(1000);
    assert.equal(h.breaker.admit(), 'probe');
    h.fail(true);
  }
  assert.equal(h.events.filter((e) => e.kind === 'auto_pause').length, 0, '9 s of failures');
  h.clock.advance(1000);
  h.breaker.admit();
  h.fail(true);
  const pauses = h.events.filter((e) => e.kind === 'auto_pause');
  assert.equal(pauses.length, 1);
  assert.equal(pauses[0]?.kind === 'auto_pause' && pauses[0].failingSince, T0);
  h.clock.advance(1000);
  h.breaker.admit();
  h.fail(true);
  assert.equal(h.events.filter((e) => e.kind === 'auto_pause').length, 1, 'asked once');
  h.breaker.forgetFailures();
  assert.equal(h.breaker.snapshot().failingSince, null, 'a resumed processor counts afresh');
});

test('auto_pause_after_ms 0 never asks, even with the breaker disabled', () => {
  const h = harness({ enabled: false, auto_pause_after_ms: 0 });
  for (let i = 0; i < 5; i++) {
    h.fail();
    h.clock.advance(24 * 3600 * 1000);
  }
  assert.equal(h.events.length, 0);
});
