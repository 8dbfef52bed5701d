// The gate on the delivery path, on a hand-driven clock: waiters are held while open and released in
// order, the probe is let through when due (by the gate's own timer), shutdown frees the waiters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT_BREAKER_DEFAULTS, type CircuitBreakerConfig } from '@eventyard/evhub';
import { BreakerGate, failureOf, type BreakerEvent, type BreakerPass } from '../../src/breaker/index.ts';
import type { AttemptOutcome } from '../../src/outcome/index.ts';
import { ManualClock } from '../limits/manual-clock.ts';

const failed: AttemptOutcome = { outcome: 'failure', retriable: true, errorCode: 'grpc:UNAVAILABLE', errorMessage: 'connection refused' };
const ok: AttemptOutcome = { outcome: 'success', retriable: false };

function gate(overrides: Partial<CircuitBreakerConfig> = {}) {
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  const events: BreakerEvent[] = [];
  const waiting: number[] = [];
  const config = { ...CIRCUIT_BREAKER_DEFAULTS, consecutive_failures: 2, probe_interval_ms: 1000, ...overrides };
  const g = new BreakerGate({ dispatcherId: 'p', config: () => config, clock, onEvent: (e) => events.push(e), onWaiting: (n) => waiting.push(n) });
  return { clock, g, events, waiting };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('failureOf counts only failures another attempt might fix', () => {
  assert.equal(failureOf(failed), 'grpc:UNAVAILABLE: connection refused');
  assert.equal(failureOf({ outcome: 'failure', retriable: true, errorCode: 'timeout' }), 'timeout');
  assert.equal(failureOf({ outcome: 'failure', retriable: false, errorCode: 'http:400' }), null, 'a refusal is the endpoint answering');
  assert.equal(failureOf({ outcome: 'cancel', retriable: false, errorCode: 30000 }), null);
  assert.equal(failureOf(ok), null);
});

test('an open gate holds attempts in order, lets one probe through when due, and releases everyone when it succeeds', async () => {
  const { clock, g, events, waiting } = gate();
  const signal = new AbortController().signal;
  for (let i = 0; i < 2; i++) (await g.enter(signal)).done(failed);
  assert.equal(g.state, 'open');

  const passed: Array<{ n: number; pass: BreakerPass }> = [];
  for (let n = 0; n < 3; n++) void g.enter(signal).then((pass) => passed.push({ n, pass }));
  await flush();
  assert.equal(passed.length, 0, 'held while open');
  assert.equal(g.waiting, 3);
  assert.equal(waiting.at(-1), 3);

  clock.advance(1000); // the gate's timer: half-open, the oldest waiter probes
  await flush();
  assert.deepEqual(
    passed.map((p) => [p.n, p.pass.probe]),
    [[0, true]],
  );
  assert.equal(g.state, 'half_open');
  passed[0]?.pass.done(failed);
  assert.equal(g.state, 'open');
  assert.equal(g.snapshot().nextProbeAt, clock.now() + 2000);

  clock.advance(2000);
  await flush();
  assert.deepEqual(
    passed.map((p) => [p.n, p.pass.probe]),
    [
      [0, true],
      [1, true],
    ],
  );
  passed[1]?.pass.done(ok);
  await flush();
  assert.deepEqual(
    passed.map((p) => [p.n, p.pass.probe]),
    [
      [0, true],
      [1, true],
      [2, false],
    ],
  );
  assert.equal(g.state, 'closed');
  assert.equal(g.waiting, 0);
  assert.deepEqual(
    events.map((e) => (e.kind === 'transition' ? `${e.from}>${e.to}` : e.kind)),
    ['closed>open', 'open>half_open', 'half_open>open', 'open>half_open', 'half_open>closed'],
  );
  g.close();
});

test('an open gate with nobody waiting turns half-open on time; the next arrival probes', async () => {
  const { clock, g } = gate();
  const signal = new AbortController().signal;
  for (let i = 0; i < 2; i++) (await g.enter(signal)).done(failed);
  assert.equal(clock.pendingTimers, 1, 'the probe timer');
  clock.advance(1000);
  assert.equal(g.state, 'half_open');
  const probe = await g.enter(signal);
  assert.equal(probe.probe, true);
  probe.abandon();
  const next = await g.enter(signal);
  assert.equal(next.probe, true, 'an abandoned probe hands the probe on');
  next.done(ok);
  assert.equal(g.state, 'closed');
  g.close();
  assert.equal(clock.pendingTimers, 0);
});

test('an aborted signal takes a waiter out of the gate', async () => {
  const { g } = gate();
  const signal = new AbortController().signal;
  for (let i = 0; i < 2; i++) (await g.enter(signal)).done(failed);
  const stop = new AbortController();
  const waiting = g.enter(stop.signal);
  assert.equal(g.waiting, 1);
  stop.abort(new Error('consumer closing'));
  await assert.rejects(waiting, /consumer closing/);
  assert.equal(g.waiting, 0);
  await assert.rejects(g.enter(stop.signal), /consumer closing/);
  g.close();
});

test('tryEnter passes at once only when enter() would: closed with nobody waiting, or the due probe', async () => {
  const { clock, g } = gate();
  const signal = new AbortController().signal;
  const first = g.tryEnter();
  assert.equal(first?.probe, false);
  first?.done(failed);
  g.tryEnter()?.done(failed);
  assert.equal(g.state, 'open');
  assert.equal(g.tryEnter(), null, 'open: the attempt must wait');

  const held = g.enter(signal);
  clock.advance(1000); // half-open: the waiter takes the probe
  const probe = await held;
  assert.equal(probe.probe, true);
  assert.equal(g.tryEnter(), null, 'the probe is running');
  probe.done(ok);
  assert.equal(g.state, 'closed');
  const after = g.tryEnter();
  assert.equal(after?.probe, false);
  after?.done(ok);
});

test('tryEnter never overtakes a waiter', async () => {
  const { clock, g } = gate();
  const signal = new AbortController().signal;
  for (let i = 0; i < 2; i++) g.tryEnter()?.done(failed);
  const held = g.enter(signal);
  await flush();
  assert.equal(g.waiting, 1);
  clock.advance(999);
  assert.equal(g.tryEnter(), null);
  clock.advance(1);
  (await held).done(ok);
  assert.equal(g.tryEnter()?.probe, false);
});
