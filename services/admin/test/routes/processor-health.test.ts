// A processor's endpoint health over real HTTP: the breaker rows the dispatchers write, aggregated in
// GET /v1/processor/:id, the list and GET /v1/processors/:id/health (with the transitions), the
// automatic pause with its reason until resume, and circuit_breaker settings validated on save.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { autoPauseProcessor, recordBreakerTransition } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

const BILLING = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'ip://127.0.0.1:6001' };

test('processor health: breaker state, transitions, automatic pause, settings', async (t) => {
  const { call, db } = await startAdmin(t);
  const saved = await call('POST', '/v1/processor', {
    processor_conf_info: { ...BILLING, circuit_breaker: { consecutive_failures: 5, auto_pause_after_ms: 3_600_000 } },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.deepEqual(saved.body.processor_conf_info.circuit_breaker, { consecutive_failures: 5, auto_pause_after_ms: 3_600_000 });
  const bad = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, circuit_breaker: { failure_ratio_percent: 150 } } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.ret.msg, /circuit_breaker\.failure_ratio_percent must be at most 100/);
  const unknown = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, circuit_breaker: { threshold: 1 } } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.ret.msg, /threshold/);

  const fresh = await call('GET', '/v1/processor/billing');
  assert.equal(fresh.body.health.state, 'closed');
  assert.equal(fresh.body.health.since, null);

  await recordBreakerTransition(db.knex, {
    dispatcher_id: 'billing',
    instance_id: 'dispatcher-1',
    from_state: 'closed',
    to_state: 'open',
    at: new Date('2026-12-01T10:00:00Z'),
    reason: '5 consecutive failures; last: grpc:UNAVAILABLE',
    failing_since: new Date('2026-12-01T09:59:58Z'),
    last_failure_at: new Date('2026-12-01T10:00:00Z'),
    last_failure: 'grpc:UNAVAILABLE: connect ECONNREFUSED',
    next_probe_at: new Date('2026-12-01T10:00:05Z'),
    consecutive_failures: 5,
  });
  const open = await call('GET', '/v1/processor/billing');
  assert.equal(open.status, 200);
  assert.equal(open.body.health.state, 'open');
  assert.equal(open.body.health.since, '2026-12-01T10:00:00.000Z');
  assert.equal(open.body.health.next_probe_at, '2026-12-01T10:00:05.000Z');
  assert.equal(open.body.health.last_failure, 'grpc:UNAVAILABLE: connect ECONNREFUSED');
  assert.equal(open.body.health.instances.length, 1);
  assert.equal(open.body.processor_conf_info.health, undefined, 'the config itself stays a valid POST body');

  const list = await call('GET', '/v1/processors');
  assert.equal(list.body.health.billing.state, 'open');
  assert.equal(list.body.health.billing.instances, undefined);
  const roundTrip = await call('POST', '/v1/processor', { processor_conf_info: list.body.processors[0] });
  assert.equal(roundTrip.status, 200, JSON.stringify(roundTrip.body));

  assert.equal(
    await autoPauseProcessor(db.knex, 'billing', { reason: 'failing without a success since 2026-12-01T09:59:58.000Z', instanceId: 'dispatcher-1' }),
    true,
  );
  const health = await call('GET', '/v1/processors/billing/health?limit=10');
  assert.equal(health.status, 200, JSON.stringify(health.body));
  assert.equal(health.body.paused, true);
  assert.equal(health.body.health.auto_pause.reason, 'failing without a success since 2026-12-01T09:59:58.000Z');
  assert.deepEqual(
    health.body.transitions.map((tr: { from_state: string; to_state: string }) => `${tr.from_state}>${tr.to_state}`),
    ['closed>open'],
  );
  await call('POST', '/v1/processors/billing/resume');
  assert.equal((await call('GET', '/v1/processors/billing/health')).body.health.auto_pause, null, 'resume clears the automatic pause');

  assert.equal((await call('GET', '/v1/processors/nobody/health')).status, 404);
  assert.equal((await call('GET', '/v1/processors/billing/health?limit=0')).status, 400);
  const doc = await call('GET', '/openapi.json');
  assert.ok(doc.body.paths['/v1/processors/{dispatcher_id}/health']?.get);
  assert.ok(doc.body.components.schemas.ProcessorHealth);
  assert.ok(doc.body.components.schemas.ProcessorConfInfo.properties.circuit_breaker);
});

test('a bad limit is refused before any query starts: nothing of the request is left running after its 400', async (t) => {
  const { call, db } = await startAdmin(t);
  assert.equal((await call('POST', '/v1/processor', { processor_conf_info: BILLING })).status, 200);
  // While this transaction holds the health tables, any read of them the route started waits on its lock, visibly.
  const trx = await db.knex.transaction();
  try {
    await trx.raw('LOCK TABLE processor_breakers, processor_auto_pauses, processor_breaker_transitions IN ACCESS EXCLUSIVE MODE');
    const bad = await call('GET', '/v1/processors/billing/health?limit=0');
    assert.equal(bad.status, 400);
    assert.match(bad.body.ret.msg, /limit must be an integer from 1/);
    for (let look = 0; look < 10; look += 1) {
      const { rows } = await db.knex.raw<{ rows: Array<{ query: string }> }>(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'eventyard-admin' AND wait_event_type = 'Lock'",
      );
      assert.deepEqual(
        rows.map((row) => row.query),
        [],
        'a query started for the refused request',
      );
      await setTimeout(50);
    }
  } finally {
    await trx.rollback();
  }
});
