// `eventyard secrets reseal` on a real database: plaintext secrets sealed, old-key values moved to the
// new key, and refused without EY_SECRETS_KEY; the dev data dir keeps one key across runs.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSecretKey, parseSecretKey, SecretKeyring } from '@eventyard/core';
import { getProcessor, upsertProcessor, useSecretKeyring } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { devSecretsKey } from '../src/secrets.ts';
import { runCli } from './fixture.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

test('secrets reseal seals plaintext, then moves values to a rotated key', async (t) => {
  const db = await createDatabase(t);
  await upsertProcessor(db.knex, {
    dispatcher_id: 'hook',
    app_id: 'shop',
    topic_id: 'order',
    protocol_type: 'httpSend',
    addr: 'https://example.test/hook',
    webhook_secret: SECRET,
    auth_token: 'tok',
  });
  const raw = async () => ((await db.knex('processors').where({ dispatcher_id: 'hook' }).first('webhook_secret')) as { webhook_secret: string }).webhook_secret;
  const [first, second] = [generateSecretKey(), generateSecretKey()];

  const missing = await runCli(['secrets', 'reseal'], { EY_DATABASE_URL: db.url });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /EY_SECRETS_KEY: required/);

  const sealed = await runCli(['secrets', 'reseal'], { EY_DATABASE_URL: db.url, EY_SECRETS_KEY: first });
  assert.equal(sealed.code, 0, sealed.stderr);
  assert.equal(sealed.stdout, `secrets reseal: 2 values sealed with key ${parseSecretKey(first, 'k').id} (1 processors read)\n`);
  assert.ok((await raw()).startsWith(`eyenc:v1:${parseSecretKey(first, 'k').id}:`));

  const moved = await runCli(['secrets', 'reseal'], { EY_DATABASE_URL: db.url, EY_SECRETS_KEY: second, EY_SECRETS_KEY_PREVIOUS: first });
  assert.equal(moved.code, 0, moved.stderr);
  assert.ok((await raw()).startsWith(`eyenc:v1:${parseSecretKey(second, 'k').id}:`));
  useSecretKeyring(db.knex, new SecretKeyring(parseSecretKey(second, 'k')));
  assert.equal((await getProcessor(db.knex, 'hook'))?.webhook_secret, SECRET);
});

test('the dev key is created once per data dir, readable only by its owner', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-dev-key-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = await devSecretsKey(dir);
  assert.equal(parseSecretKey(key, 'dev').key.length, 32);
  assert.equal(await devSecretsKey(dir), key);
  assert.equal((await stat(join(dir, 'secrets.key'))).mode & 0o777, 0o600);
});
