// API key routes over real HTTP and a real database: the secret once at creation (and it works for
// findApiKeyBySecret), lists without secrets or hashes, idempotent revoke, and every bad input a 400 that
// names the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findApiKeyBySecret } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

test('API keys: create, list, get, revoke', async (t) => {
  const admin = await startAdmin(t);
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  const created = await admin.call('POST', '/v1/api-keys', {
    name: 'announcer',
    app_ids: ['news'],
    permissions: ['report', 'broadcast'],
    expires_at: expiresAt,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.ret.code, 0);
  const { api_key: key, secret } = created.body as { api_key: Record<string, unknown>; secret: string };
  assert.match(secret, /^eyk_[0-9a-f]{12}_/);
  assert.match(String(key.id), /^[0-9a-f]{12}$/);
  assert.equal(key.name, 'announcer');
  assert.deepEqual(key.app_ids, ['news']);
  assert.deepEqual(key.permissions, ['report', 'broadcast']);
  assert.equal(key.expires_at, expiresAt);
  assert.equal(key.revoked_at, null);
  assert.equal(typeof key.created_at, 'string');
  assert.equal((await findApiKeyBySecret(admin.db.knex, secret))?.id, key.id, 'the secret answered is the one stored (hashed)');

  const defaults = await admin.call('POST', '/v1/api-keys', { app_ids: ['*'] });
  assert.equal(defaults.status, 201);
  assert.deepEqual(defaults.body.api_key.permissions, ['report']);
  assert.equal(defaults.body.api_key.name, '');
  assert.equal(defaults.body.api_key.expires_at, null);

  const list = await admin.call('GET', '/v1/api-keys');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.api_keys.map((k: { id: string }) => k.id),
    [key.id, defaults.body.api_key.id],
  );
  const listed = JSON.stringify(list.body);
  assert.ok(!listed.includes(secret.slice(18)) && !listed.includes('key_hash') && !listed.includes('secret'), 'no secret or hash in the list');
  assert.ok('last_used_at' in list.body.api_keys[0] && 'revoked_at' in list.body.api_keys[0]);

  const one = await admin.call('GET', `/v1/api-keys/${String(key.id)}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.api_key.id, key.id);
  assert.ok(!('secret' in one.body));

  const revoked = await admin.call('DELETE', `/v1/api-keys/${String(key.id)}`);
  assert.equal(revoked.status, 200);
  assert.equal(typeof revoked.body.api_key.revoked_at, 'string');
  assert.equal(await findApiKeyBySecret(admin.db.knex, secret), undefined);
  const again = await admin.call('DELETE', `/v1/api-keys/${String(key.id)}`);
  assert.equal(again.status, 200, 'revoking twice is idempotent');
  assert.equal(again.body.api_key.revoked_at, revoked.body.api_key.revoked_at, 'the first revocation time is kept');
  const active = await admin.call('GET', '/v1/api-keys?include_revoked=false');
  assert.deepEqual(
    active.body.api_keys.map((k: { id: string }) => k.id),
    [defaults.body.api_key.id],
  );
  const all = await admin.call('GET', '/v1/api-keys');
  assert.equal(all.body.api_keys.length, 2, 'revoked keys are listed by default, with revoked_at');

  for (const path of ['/v1/api-keys/0123456789ab', '/v1/api-keys/not-a-key']) {
    for (const method of ['GET', 'DELETE']) {
      const missing = await admin.call(method, path);
      assert.equal(missing.status, 404, `${method} ${path}`);
      assert.equal(missing.body.error, 'EY_API_KEY_NOT_FOUND');
      assert.match(missing.body.ret.msg, /^API key ".*" not found$/);
    }
  }
});

test('API keys: bad input is a 400 naming the field', async (t) => {
  const admin = await startAdmin(t);
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing app_ids', {}, /^app_ids is required$/],
    ['empty app_ids', { app_ids: [] }, /^app_ids must list at least one app id/],
    ['app_ids not an array', { app_ids: 'news' }, /^app_ids must be an array$/],
    ['empty app id', { app_ids: [''] }, /^app_ids\.0 /],
    ['app id not a string', { app_ids: [7] }, /^app_ids\.0 must be a string$/],
    [
      'unknown permission',
      { app_ids: ['news'], permissions: ['superuser'] },
      /^permissions\.0 must be one of "report", "broadcast", "admin", "events:read", "config:write", "replay", "keys:manage"$/,
    ],
    ['empty permissions', { app_ids: ['news'], permissions: [] }, /^permissions must list at least one of report, broadcast, admin/],
    ['permissions not an array', { app_ids: ['news'], permissions: 'broadcast' }, /^permissions must be an array$/],
    ['bad date', { app_ids: ['news'], expires_at: 'tomorrow' }, /^expires_at must be an RFC 3339 date-time/],
    ['date without a zone', { app_ids: ['news'], expires_at: '2030-01-01T00:00:00' }, /^expires_at must be an RFC 3339 date-time/],
    ['a day that does not exist', { app_ids: ['news'], expires_at: '2030-02-31T00:00:00Z' }, /^expires_at must be an RFC 3339 date-time/],
    ['date in the past', { app_ids: ['news'], expires_at: '2020-01-01T00:00:00Z' }, /^expires_at must be in the future$/],
    ['date not a string', { app_ids: ['news'], expires_at: 1893456000 }, /^expires_at must be a string$/],
    ['name not a string', { app_ids: ['news'], name: 5 }, /^name must be a string$/],
    ['unknown field', { app_ids: ['news'], secret: 'mine' }, /^secret is not a known field$/],
    ['not an object', [], /must be an object/],
  ];
  for (const [what, body, message] of cases) {
    const res = await admin.call('POST', '/v1/api-keys', body);
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.ret.code, 10000, what);
    assert.match(res.body.ret.msg, message, what);
    assert.match(res.body.error, /^EY_/, what);
  }
  const badJson = await admin.call('POST', '/v1/api-keys', '{"app_ids": [');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.error, 'EY_INVALID_JSON');
  const badQuery = await admin.call('GET', '/v1/api-keys?include_revoked=yes');
  assert.equal(badQuery.status, 400);
  assert.match(badQuery.body.ret.msg, /include_revoked must be one of "true", "false"/);
  const unknownQuery = await admin.call('GET', '/v1/api-keys?limit=5');
  assert.equal(unknownQuery.status, 400);
  assert.match(unknownQuery.body.ret.msg, /limit is not a known field/);
  assert.equal((await admin.call('GET', '/v1/api-keys')).body.api_keys.length, 0, 'nothing was created by bad input');
});
