// EY_REQUIRE_API_KEY: Reports need `authorization: Bearer <key>` scoped to the event's app_id. And a
// producer whose node-id lease is taken stops accepting Reports (its ids could collide).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createApiKey } from '@eventyard/db';
import { createReportClient } from '@eventyard/sdk';
import { startProducer, waitFor } from './fixture.ts';

test('API keys: missing, unknown, wrong app and right app', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: 'true' });
  const { secret } = await createApiKey(p.db.knex, { name: 'shop', app_ids: ['shop'] });
  const event = { app_id: 'shop', topic_id: 'order' };

  await assert.rejects(p.client.report({ event }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.UNAUTHENTICATED);
    assert.equal(
      err.details,
      'authorization: an API key is required (authorization: Bearer <key>); the producer config of shop/order does not grant anonymous Reports',
    );
    assert.match(String(err.metadata.get('ey-event-id')[0]), /^\d+$/);
    return true;
  });
  const unknown = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: 'eyk_nope_nope' });
  t.after(() => unknown.close());
  await assert.rejects(unknown.report({ event }), { code: grpc.status.UNAUTHENTICATED, details: 'authorization: unknown, revoked or expired API key' });

  const keyed = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: secret });
  t.after(() => keyed.close());
  const ok = await keyed.report({ event });
  assert.equal(ok.ret?.code ?? 0, 0);
  await assert.rejects(keyed.report({ event: { app_id: 'other', topic_id: 'order' } }), { code: grpc.status.PERMISSION_DENIED });
  // Validation still answers first, with its 10000 and an event id.
  const invalid = await keyed.report({ event: { app_id: 'shop', topic_id: '' } });
  assert.equal(invalid.ret?.code, 10000);

  const url = `${p.httpUrl}/v1/report`;
  const anonymous = await fetch(url, { method: 'POST', body: JSON.stringify({ event }) });
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { ret: { code: number } }).ret.code, 10000);
  const authorised = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: JSON.stringify({ event }) });
  assert.equal(authorised.status, 200);
  assert.equal(((await authorised.json()) as { ret: { code: number } }).ret.code, 0);
});

test('a lost node-id lease stops Reports (UNAVAILABLE, /readyz 503)', async (t) => {
  const p = await startProducer(t, { EY_NODE_ID_LEASE_TTL_MS: '1000' });
  assert.equal((await p.client.report({ event: { app_id: 'shop', topic_id: 'order' } })).ret?.code ?? 0, 0);
  // Another instance takes the id over: the renewal sees a different token.
  await p.db.knex('node_id_leases').whereNotNull('token').update({ token: '00000000-0000-4000-8000-000000000000' });
  await waitFor(() => !p.app.reports.accepting, 10_000, 'the producer to notice the lost lease');
  await assert.rejects(p.client.report({ event: { app_id: 'shop', topic_id: 'order' } }), {
    code: grpc.status.UNAVAILABLE,
    details: 'producer is not accepting reports: node id lease lost',
  });
  const ready = await fetch(`http://127.0.0.1:${p.app.ports.health}/readyz`);
  assert.equal(ready.status, 503);
  assert.deepEqual(((await ready.json()) as { failing: string[] }).failing, ['node_id_lease', 'accepting']);
});
