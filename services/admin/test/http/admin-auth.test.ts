// Admin authentication over real HTTP: the admin token, API keys with and without the route's permission,
// revoked and expired keys, the route table covering every route, and who may grant what.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiKey } from '@eventyard/db';
import { PUBLIC_ROUTES, ROUTE_PERMISSIONS } from '../../src/http/route-permissions.ts';
import { offlineAdminServer, startAdmin, TEST_ADMIN_TOKEN } from '../fixture.ts';

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

test('every registered route has exactly one permission in the table, and an unlisted route cannot be added', (t) => {
  const server = offlineAdminServer(t);
  // No stale entries: each one names a route that exists.
  for (const key of [...Object.keys(ROUTE_PERMISSIONS), ...PUBLIC_ROUTES]) {
    const [method = '', url = ''] = key.split(' ');
    assert.ok(server.hasRoute({ method, url }), `table entry ${key} names no registered route`);
  }
  // Every route: registering one the table does not list fails the build.
  assert.throws(() => server.get('/v1/unlisted', async () => ({})), /admin route GET \/v1\/unlisted has no entry in ROUTE_PERMISSIONS/);
});

test('no credential or a wrong one: 401; the admin token: every route; /openapi.json stays public', async (t) => {
  const { call } = await startAdmin(t);
  for (const [method, path] of [
    ['GET', '/v1/processors'],
    ['POST', '/v1/api-keys'],
    ['GET', '/v1/events/1'],
    ['GET', '/v2/unknown'],
  ] as const) {
    const none = await call(method, path, undefined, { authorization: '' });
    assert.equal(none.status, 401, `${method} ${path}`);
    assert.equal(none.body.error, 'EY_UNAUTHENTICATED');
  }
  const wrong = await call('GET', '/v1/processors', undefined, bearer('not-the-token'));
  assert.equal(wrong.status, 401);
  assert.match(wrong.body.ret.msg, /not the admin token, nor an active API key/);
  const basic = await call('GET', '/v1/processors', undefined, { authorization: `Basic ${TEST_ADMIN_TOKEN}` });
  assert.equal(basic.status, 401);
  assert.equal((await call('GET', '/v1/processors')).status, 200);
  assert.equal((await call('GET', '/openapi.json', undefined, { authorization: '' })).status, 200);
});

test("API keys: the route's permission or admin allows it, another permission is 403, revoked and expired keys are 401", async (t) => {
  const { call, db } = await startAdmin(t);
  const mint = async (permissions: string[], appIds = ['*'], expiresAt?: Date) =>
    (
      await createApiKey(db.knex, {
        name: permissions.join('+'),
        app_ids: appIds,
        permissions: permissions as never,
        ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
      })
    ).secret;
  const reader = await mint(['events:read']);
  const writer = await mint(['config:write']);
  const admin = await mint(['admin']);
  const reporter = await mint(['report']);
  const oneApp = await mint(['events:read'], ['shop']);

  const processor = { processor_conf_info: { dispatcher_id: 'p1', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:7000' } };
  assert.equal((await call('GET', '/v1/processors', undefined, bearer(reader))).status, 200);
  const denied = await call('POST', '/v1/processor', processor, bearer(reader));
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'EY_PERMISSION_DENIED');
  assert.match(denied.body.ret.msg, /lacks the "config:write" permission/);
  assert.equal((await call('POST', '/v1/processor', processor, bearer(writer))).status, 200);
  assert.equal((await call('GET', '/v1/api-keys', undefined, bearer(writer))).status, 403);
  assert.equal((await call('GET', '/v1/api-keys', undefined, bearer(admin))).status, 200);
  assert.equal((await call('POST', '/v1/replay', { dispatcher_id: 'p1' }, bearer(reader))).status, 403);
  // The producer's permissions give nothing here, and an app-scoped key cannot read across apps.
  assert.equal((await call('GET', '/v1/processors', undefined, bearer(reporter))).status, 403);
  const scoped = await call('GET', '/v1/processors', undefined, bearer(oneApp));
  assert.equal(scoped.status, 403);
  assert.match(scoped.body.ret.msg, /app_ids \["\*"\]/);

  // Revoked through the admin: refused at once (the lookup cache is cleared on revoke).
  const keys = await call('GET', '/v1/api-keys');
  const readerId = (keys.body.api_keys as { id: string; name: string }[]).find((k) => k.name === 'events:read')?.id ?? '';
  assert.equal((await call('DELETE', `/v1/api-keys/${readerId}`, undefined, bearer(admin))).status, 200);
  const revoked = await call('GET', '/v1/processors', undefined, bearer(reader));
  assert.equal(revoked.status, 401);
  assert.equal(revoked.body.error, 'EY_UNAUTHENTICATED');

  // Expired: refused once its time passed, even while its lookup is cached.
  const shortLived = await mint(['events:read'], ['*'], new Date(Date.now() + 1500));
  assert.equal((await call('GET', '/v1/processors', undefined, bearer(shortLived))).status, 200);
  const deadline = Date.now() + 10_000;
  let status = 200;
  while (status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = (await call('GET', '/v1/processors', undefined, bearer(shortLived))).status;
  }
  assert.equal(status, 401);
});

test('a key with keys:manage grants only permissions it holds; admin keys and the token grant any', async (t) => {
  const { call, db } = await startAdmin(t);
  const { secret: manager } = await createApiKey(db.knex, { app_ids: ['*'], permissions: ['keys:manage', 'events:read'] });
  const escalate = await call('POST', '/v1/api-keys', { app_ids: ['*'], permissions: ['admin'] }, bearer(manager));
  assert.equal(escalate.status, 403);
  assert.match(escalate.body.ret.msg, /may not grant permissions it does not hold: admin/);
  const same = await call('POST', '/v1/api-keys', { app_ids: ['*'], permissions: ['events:read'] }, bearer(manager));
  assert.equal(same.status, 201);
  const byToken = await call('POST', '/v1/api-keys', { app_ids: ['*'], permissions: ['admin', 'replay', 'config:write', 'keys:manage', 'events:read'] });
  assert.equal(byToken.status, 201, JSON.stringify(byToken.body));
  const { secret: adminKey } = await createApiKey(db.knex, { app_ids: ['*'], permissions: ['admin'] });
  assert.equal((await call('POST', '/v1/api-keys', { app_ids: ['shop'], permissions: ['report', 'broadcast'] }, bearer(adminKey))).status, 201);
});
