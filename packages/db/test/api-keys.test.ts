import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { anyActiveApiKey, apiKeyAllows, createApiKey, findApiKeyBySecret, getApiKey, listApiKeys, revokeApiKey } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

test('API keys: stored hashed, scoped to apps and permissions, revocable', async (t) => {
  const { knex } = await createDatabase(t);
  assert.equal(await anyActiveApiKey(knex), false);

  const { key, secret } = await createApiKey(knex, { name: 'shop backend', app_ids: ['shop'] });
  assert.match(secret, /^eyk_[0-9a-f]{12}_/);
  assert.deepEqual(key.permissions, ['report']);
  assert.equal(await anyActiveApiKey(knex), true);
  const stored = (await knex('api_keys').where({ id: key.id }).first()) as Record<string, unknown>;
  assert.ok(!JSON.stringify(stored).includes(secret.slice(20)), 'the secret is not stored');

  const found = await findApiKeyBySecret(knex, secret);
  assert.equal(found?.id, key.id);
  assert.ok(found !== undefined && apiKeyAllows(found, 'shop', 'report'));
  assert.ok(!apiKeyAllows(found, 'shop', 'broadcast'), 'no broadcast permission');
  assert.ok(!apiKeyAllows(found, 'blog', 'report'), 'other apps are out of scope');
  assert.equal(await findApiKeyBySecret(knex, `${secret}x`), undefined);
  assert.equal(await findApiKeyBySecret(knex, 'Bearer nonsense'), undefined);

  const { key: broadcaster, secret: broadcastSecret } = await createApiKey(knex, { app_ids: ['*'], permissions: ['report', 'broadcast'] });
  const foundBroadcaster = await findApiKeyBySecret(knex, broadcastSecret);
  assert.ok(foundBroadcaster !== undefined && apiKeyAllows(foundBroadcaster, 'any-app', 'broadcast'));

  assert.equal(await revokeApiKey(knex, key.id), true);
  assert.equal(await revokeApiKey(knex, key.id), false);
  assert.equal(await findApiKeyBySecret(knex, secret), undefined);
  assert.deepEqual(
    (await listApiKeys(knex)).map((k) => k.id),
    [broadcaster.id],
  );
  assert.equal((await listApiKeys(knex, { includeRevoked: true })).length, 2);

  const { secret: expiredSecret } = await createApiKey(knex, { app_ids: ['shop'], expires_at: new Date(Date.now() - 1000) });
  assert.equal(await findApiKeyBySecret(knex, expiredSecret), undefined);

  await assert.rejects(createApiKey(knex, { app_ids: ['shop'], permissions: ['superuser' as 'admin'] }), (err: unknown) => {
    assert.ok(isEventyardError(err));
    assert.equal(err.context.field, 'permissions[0]');
    return true;
  });
  await assert.rejects(createApiKey(knex, { app_ids: [] }), /app_ids must list at least one app id/);
});

test('anyActiveApiKey ignores expired and revoked keys; getApiKey finds revoked ones too', async (t) => {
  const { knex } = await createDatabase(t);
  await createApiKey(knex, { app_ids: ['shop'], expires_at: new Date(Date.now() - 1000) });
  assert.equal(await anyActiveApiKey(knex), false, 'an expired key is not active');
  const { key } = await createApiKey(knex, { app_ids: ['shop'], expires_at: new Date(Date.now() + 3_600_000) });
  assert.equal(await anyActiveApiKey(knex), true);
  await revokeApiKey(knex, key.id);
  assert.equal(await anyActiveApiKey(knex), false);
  const revoked = await getApiKey(knex, key.id);
  assert.equal(revoked?.id, key.id);
  assert.ok(revoked?.revoked_at instanceof Date);
  assert.ok(!('key_hash' in (revoked ?? {})), 'no hash');
  assert.equal(await getApiKey(knex, 'nope'), undefined);
});
