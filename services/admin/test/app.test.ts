// The admin service as a whole (authentication: http/admin-auth.test.ts): body limits, unknown routes, /openapi.json,
// and the health server's /readyz and /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from './fixture.ts';

test('limits, unknown routes, the OpenAPI document, health and metrics', async (t) => {
  const admin = await startAdmin(t, { EY_ADMIN_BODY_LIMIT_BYTES: '2048' });
  const { call } = admin;

  const big = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'a', topic_id: 't', tx_address: 'x'.repeat(4096) } });
  assert.equal(big.status, 413);
  assert.match(big.body.ret.msg, /request body is larger than 2048 bytes/);

  const unknown = await call('GET', '/v2/anything');
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body.ret, { code: 10000, msg: 'no route GET /v2/anything' });

  const doc = await call('GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  for (const path of [
    '/v1/producer',
    '/v1/producer/{app_id}/{topic_id}',
    '/v1/processor',
    '/v1/processor/{dispatcher_id}',
    '/v1/processors',
    '/v1/events/{event_id}',
    '/v1/events/{event_id}/watch',
    '/v1/watch',
  ]) {
    assert.ok(path in doc.body.paths, path);
  }
  assert.ok('text/event-stream' in doc.body.paths['/v1/watch'].get.responses['200'].content);
  assert.deepEqual(
    doc.body.components.schemas.StatusChange.oneOf.map((k: { properties: { kind: { const: string } } }) => k.properties.kind.const),
    ['delivery', 'processor'],
  );
  assert.deepEqual(doc.body.components.schemas.ProcessorConfInfo.required, ['dispatcher_id', 'app_id', 'topic_id', 'protocol_type', 'addr']);

  const health = `http://127.0.0.1:${admin.app.ports.health}`;
  assert.equal((await fetch(`${health}/healthz`)).status, 200);
  assert.equal((await fetch(`${health}/readyz`)).status, 200);
  const metrics = await (await fetch(`${health}/metrics`)).text();
  assert.match(metrics, /eventyard_admin_requests_total\{method="GET",route="\/openapi.json",status="200",service="admin"\} 1/);
  assert.match(metrics, /eventyard_admin_requests_total\{method="POST",route="\/v1\/producer",status="413",service="admin"\} 1/);
});
