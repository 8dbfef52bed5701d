// Endpoint health rows (migration 0015): transitions per (processor, instance) aggregated into one view,
// stale instances left out and pruned, an automatic pause that bumps the processor's version and whose
// reason disappears as soon as the processor is unpaused by any path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  autoPauseProcessor,
  breakerTransitions,
  deleteProcessor,
  getProcessor,
  heartbeatBreakers,
  processorHealth,
  recordBreakerTransition,
  removeInstanceBreakers,
  setProcessorFlags,
  upsertProcessor,
  type BreakerTransition,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const base = { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend' as const, addr: 'billing:9001' };

function transition(over: Partial<BreakerTransition>): BreakerTransition {
  return {
    dispatcher_id: 'billing',
    instance_id: 'a',
    from_state: 'closed',
    to_state: 'open',
    at: new Date('2026-12-01T10:00:00Z'),
    reason: '10 consecutive failures',
    failing_since: new Date('2026-12-01T09:59:00Z'),
    last_failure_at: new Date('2026-12-01T10:00:00Z'),
    last_failure: 'grpc:UNAVAILABLE',
    next_probe_at: new Date('2026-12-01T10:00:05Z'),
    consecutive_failures: 10,
    ...over,
  };
}

test('transitions of several instances aggregate to the most severe state, with history newest first', async (t) => {
  const { knex } = await createDatabase(t);
  await upsertProcessor(knex, { ...base, dispatcher_id: 'billing', circuit_breaker: { consecutive_failures: 3 } });
  await upsertProcessor(knex, { ...base, dispatcher_id: 'quiet' });
  assert.deepEqual((await getProcessor(knex, 'billing'))?.circuit_breaker, { consecutive_failures: 3 });

  assert.equal(await recordBreakerTransition(knex, transition({})), true);
  assert.equal(
    await recordBreakerTransition(
      knex,
      transition({
        instance_id: 'b',
        to_state: 'half_open',
        at: new Date('2026-12-01T10:00:07Z'),
        next_probe_at: null,
        last_failure: 'timeout',
        last_failure_at: new Date('2026-12-01T10:00:06Z'),
      }),
    ),
    true,
  );
  const health = await processorHealth(knex, ['billing', 'quiet']);
  const billing = health.get('billing');
  assert.equal(billing?.state, 'open');
  assert.equal(billing?.since, '2026-12-01T10:00:00.000Z');
  assert.equal(billing?.last_failure, 'timeout', 'the latest failure of any instance');
  assert.equal(billing?.failing_since, '2026-12-01T09:59:00.000Z');
  assert.equal(billing?.next_probe_at, '2026-12-01T10:00:05.000Z');
  assert.deepEqual(
    billing?.instances.map((i) => `${i.instance_id}:${i.state}`),
    ['a:open', 'b:half_open'],
  );
  assert.deepEqual(health.get('quiet'), {
    state: 'closed',
    since: null,
    failing_since: null,
    last_failure_at: null,
    last_failure: null,
    next_probe_at: null,
    auto_pause: null,
    instances: [],
  });

  await recordBreakerTransition(
    knex,
    transition({
      from_state: 'open',
      to_state: 'closed',
      at: new Date('2026-12-01T10:01:00Z'),
      reason: 'probe succeeded',
      failing_since: null,
      next_probe_at: null,
      consecutive_failures: 0,
    }),
  );
  const history = await breakerTransitions(knex, 'billing');
  assert.deepEqual(
    history.map((h) => `${h.instance_id}:${h.from_state}>${h.to_state}`),
    ['a:open>closed', 'b:closed>half_open', 'a:closed>open'],
  );
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.state, 'half_open');

  // An instance that stops heartbeating drops out of the view, and is pruned by another's heartbeat.
  await knex('processor_breakers')
    .where({ instance_id: 'b' })
    .update({ seen_at: knex.raw("now() - interval '1 hour'") });
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.state, 'closed');
  await heartbeatBreakers(knex, { instanceId: 'a' });
  assert.deepEqual(await knex('processor_breakers').pluck('instance_id'), ['a']);
  await removeInstanceBreakers(knex, 'a');
  assert.deepEqual(await knex('processor_breakers').pluck('instance_id'), []);

  assert.equal(await deleteProcessor(knex, 'billing'), true);
  assert.equal(await recordBreakerTransition(knex, transition({})), false, 'a deleted processor is not an error');
  assert.deepEqual(await breakerTransitions(knex, 'billing'), [], 'its history went with it');
});

test('an automatic pause is a pause with a reason, shown until the processor is unpaused', async (t) => {
  const { knex } = await createDatabase(t);
  const saved = await upsertProcessor(knex, { ...base, dispatcher_id: 'billing' });
  assert.equal(await autoPauseProcessor(knex, 'billing', { reason: 'failing since 2026-12-01T00:00:00Z', instanceId: 'a' }), true);
  const paused = await getProcessor(knex, 'billing');
  assert.equal(paused?.paused, true);
  assert.equal(paused?.version, saved.version + 1, 'the version moves, so the dispatchers follow');
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.auto_pause?.reason, 'failing since 2026-12-01T00:00:00Z');
  assert.equal(await autoPauseProcessor(knex, 'billing', { reason: 'again', instanceId: 'b' }), false, 'already paused: the first reason stays');
  assert.equal(await autoPauseProcessor(knex, 'nobody', { reason: 'x', instanceId: 'b' }), false);

  await setProcessorFlags(knex, 'billing', { paused: false });
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.auto_pause, null, 'resume drops the reason');
  await setProcessorFlags(knex, 'billing', { paused: true });
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.auto_pause, null, 'a manual pause is not shown as automatic');
  await setProcessorFlags(knex, 'billing', { paused: false });
  await autoPauseProcessor(knex, 'billing', { reason: 'again', instanceId: 'a' });
  await upsertProcessor(knex, { ...base, dispatcher_id: 'billing', paused: false });
  assert.equal((await processorHealth(knex, ['billing'])).get('billing')?.auto_pause, null, 'a full upsert that unpauses drops it too');
});
