// The board against a real database: every transition reaches the onProcessorStateChange hook, the
// metrics and this instance's row (plus history); an auto-pause request pauses the processor with its
// reason and is announced once; close() removes the instance's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry, silentLogger } from '@eventyard/core';
import { CIRCUIT_BREAKER_DEFAULTS } from '@eventyard/evhub';
import { breakerTransitions, getProcessor, processorHealth, upsertProcessor } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { BreakerBoard, type ProcessorStateChange } from '../../src/breaker/index.ts';
import type { AttemptOutcome } from '../../src/outcome/index.ts';
import { ManualClock } from '../limits/manual-clock.ts';
import { waitFor } from '../fixture.ts';

const failed: AttemptOutcome = { outcome: 'failure', retriable: true, errorCode: 'timeout' };

test('transitions are announced, counted and persisted; a processor failing too long is paused once', async (t) => {
  const { knex } = await createDatabase(t);
  await upsertProcessor(knex, { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  const changes: ProcessorStateChange[] = [];
  const registry = createMetricsRegistry('dispatcher-test');
  const board = new BreakerBoard({
    knex,
    instanceId: 'instance-1',
    registry,
    logger: silentLogger(),
    clock,
    onProcessorStateChange: (change) => changes.push(change),
  });
  const config = { ...CIRCUIT_BREAKER_DEFAULTS, consecutive_failures: 2, probe_interval_ms: 1000, max_probe_interval_ms: 1000, auto_pause_after_ms: 3000 };
  const gate = board.gate('billing', () => config);
  const signal = new AbortController().signal;

  for (let i = 0; i < 2; i++) (await gate.enter(signal)).done(failed);
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    (await gate.enter(signal)).done(failed);
  }
  await waitFor(async () => (await getProcessor(knex, 'billing'))?.paused === true, 10_000, 'the processor paused');
  await waitFor(() => changes.some((c) => c.state === 'auto_paused'), 10_000, 'the pause announced');
  assert.deepEqual(
    changes.map((c) => c.state),
    ['open', 'half_open', 'open', 'half_open', 'open', 'half_open', 'open', 'auto_paused'],
  );
  assert.deepEqual(changes[0], {
    v: 1,
    kind: 'processor',
    dispatcher_id: 'billing',
    state: 'open',
    at: '2026-12-01T00:00:00.000Z',
    reason: '2 consecutive failures; last: timeout',
  });
  assert.match(changes.at(-1)?.reason ?? '', /^failing without a success since 2026-12-01T00:00:00.000Z \(auto_pause_after_ms 3000\); last: timeout$/);

  await waitFor(async () => (await breakerTransitions(knex, 'billing')).length === 7, 10_000, 'every transition stored');
  const health = (await processorHealth(knex, ['billing'])).get('billing');
  assert.equal(health?.state, 'open');
  assert.equal(health?.instances[0]?.instance_id, 'instance-1');
  assert.equal(health?.last_failure, 'timeout');
  assert.equal(health?.auto_pause?.instance_id, 'instance-1');
  const metrics = await registry.metrics();
  const sample = (pattern: RegExp) => pattern.exec(metrics)?.[1];
  assert.equal(sample(/eventyard_dispatcher_breaker_state\{processor="billing",state="open"[^}]*\} (\d+)/), '1');
  assert.equal(sample(/eventyard_dispatcher_breaker_transitions_total\{processor="billing",from="half_open",to="open"[^}]*\} (\d+)/), '3');
  assert.equal(sample(/eventyard_dispatcher_auto_pauses_total\{processor="billing"[^}]*\} (\d+)/), '1');

  await board.close();
  assert.deepEqual(await knex('processor_breakers').pluck('instance_id'), [], 'a stopped instance leaves no live row');
});
