// ApiKeyCache, shared by the producer and the admin API: a lookup is reused for its TTL (so a revocation
// written behind its back shows only after clear() or the TTL), an expiry is honoured even while cached,
// and unknown secrets are cached too (a flood of wrong ones costs one query each per TTL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '@eventyard/core';
import { ApiKeyCache, createApiKey, revokeApiKey } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

test('lookups are cached for the TTL, dropped by clear(), and an expiry is honoured while cached', async (t) => {
  const { knex } = await createDatabase(t);
  const cache = new ApiKeyCache({ knex, logger: silentLogger(), ttlMs: 60_000 });
  const { key, secret } = await createApiKey(knex, { app_ids: ['*'], permissions: ['events:read'] });
  assert.equal((await cache.find(secret))?.id, key.id);
  await revokeApiKey(knex, key.id);
  assert.equal((await cache.find(secret))?.id, key.id, 'within the TTL the cached answer stands');
  cache.clear();
  assert.equal(await cache.find(secret), undefined, 'after clear() the revocation is seen');

  const soon = await createApiKey(knex, { app_ids: ['*'], expires_at: new Date(Date.now() + 300) });
  assert.equal((await cache.find(soon.secret))?.id, soon.key.id);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(await cache.find(soon.secret), undefined, 'expired while cached');

  const shortTtl = new ApiKeyCache({ knex, logger: silentLogger(), ttlMs: 0 });
  const other = await createApiKey(knex, { app_ids: ['*'] });
  assert.equal((await shortTtl.find(other.secret))?.id, other.key.id);
  await revokeApiKey(knex, other.key.id);
  assert.equal(await shortTtl.find(other.secret), undefined, 'with no TTL every lookup reads Postgres');
});

test('a flood of unknown secrets neither grows the cache nor pushes a good key out', async (t) => {
  const { knex } = await createDatabase(t);
  let queries = 0;
  knex.on('query', () => queries++);
  const cache = new ApiKeyCache({ knex, logger: silentLogger(), ttlMs: 60_000, maxEntries: 5 });
  const { key, secret } = await createApiKey(knex, { app_ids: ['*'] });
  assert.equal((await cache.find(secret))?.id, key.id);
  for (let i = 0; i < 50; i++) assert.equal(await cache.find(`eyk_nope_${i}`), undefined);
  const before = queries;
  assert.equal(cache.cached(secret)?.id, key.id, 'the good key is still cached');
  assert.equal((await cache.find(secret))?.id, key.id);
  assert.equal(queries, before, 'and answered without a query');
  assert.equal(cache.wasKnownGood(secret), true);
  assert.equal(cache.wasKnownGood('eyk_nope_1'), false);
  // An unknown secret asked again within the TTL costs no query either.
  assert.equal(await cache.find('eyk_nope_49'), undefined);
  assert.equal(queries, before);
});

test('clear() forgets the lookups but not which secrets were good keys (the failed-lookup limiter lets those through)', async (t) => {
  const { knex } = await createDatabase(t);
  const cache = new ApiKeyCache({ knex, logger: silentLogger(), ttlMs: 60_000 });
  const { key, secret } = await createApiKey(knex, { app_ids: ['*'] });
  assert.equal((await cache.find(secret))?.id, key.id);
  assert.equal(await cache.find('eyk_never_a_key'), undefined);
  cache.clear();
  assert.equal(cache.cached(secret), undefined, 'the lookup itself is gone: the next use queries again');
  assert.equal(cache.wasKnownGood(secret), true, 'still known as a good key');
  assert.equal(cache.wasKnownGood('eyk_never_a_key'), false);
  assert.equal((await cache.find(secret))?.id, key.id);
});
