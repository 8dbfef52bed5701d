// Webhook signing secrets over the admin API: generated on create and shown once, only fingerprints
// afterwards, malformed ones refused naming the field, rotation with an overlap, secrets sealed with
// EY_SECRETS_KEY, and a service that will not start when the stored secrets do not open with its keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSecretKey, isEventyardError, silentLogger } from '@eventyard/core';
import { createDatabase } from '@eventyard/db/testing';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startAdmin, TEST_ADMIN_TOKEN } from '../fixture.ts';

const HOOK = { dispatcher_id: 'hook', app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend', addr: 'https://example.test/hook' };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FINGERPRINT = /^sha256:[0-9a-f]{16}$/;

test('webhook secrets over the admin API', async (t) => {
  const key = generateSecretKey();
  const admin = await startAdmin(t, { EY_SECRETS_KEY: key, EY_SECRET_ROTATION_OVERLAP_S: '600' });
  const { call } = admin;

  await t.test('an httpSend processor created without a secret gets one, shown once; GET shows only its fingerprint', async () => {
    const created = await call('POST', '/v1/processor', { processor_conf_info: HOOK });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const secret = created.body.signing.webhook_secret as string;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(created.body.processor_conf_info.webhook_secret, '[redacted]');
    assert.match(created.body.signing.fingerprint, FINGERPRINT);
    const got = await call('GET', '/v1/processor/hook');
    assert.equal(got.body.processor_conf_info.webhook_secret, '[redacted]');
    assert.deepEqual(got.body.signing, { fingerprint: created.body.signing.fingerprint, previous_fingerprint: null, previous_expires_at: null });
    assert.ok(!JSON.stringify(got.body).includes(secret.slice(6)), 'GET never shows the secret');
    const listed = await call('GET', '/v1/processors?app_id=shop');
    assert.ok(!JSON.stringify(listed.body).includes(secret.slice(6)));
    // An update that names no secret keeps it, and shows nothing.
    const updated = await call('POST', '/v1/processor', { processor_conf_info: { ...HOOK, timeout: 5 } });
    assert.equal(updated.body.signing.webhook_secret, undefined);
    assert.equal(updated.body.signing.fingerprint, created.body.signing.fingerprint);
    // Sealed at rest.
    const raw = (await admin.db.knex('processors').where({ dispatcher_id: 'hook' }).first('webhook_secret')) as { webhook_secret: string };
    assert.match(raw.webhook_secret, /^eyenc:v1:[0-9a-f]{16}:/);
    assert.ok(!raw.webhook_secret.includes(secret.slice(6)));
  });

  await t.test('a malformed secret is refused with 400 naming the field', async () => {
    for (const bad of ['whsec_abc', 'plain-secret-of-enough-length-but-no-prefix', `whsec_${Buffer.alloc(16).toString('base64')}`]) {
      const res = await call('POST', '/v1/processor', { processor_conf_info: { ...HOOK, dispatcher_id: 'bad', webhook_secret: bad } });
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error, 'EY_INVALID_CONFIG');
      assert.match(res.body.ret.msg, /^webhook_secret must /);
    }
    const rotate = await call('POST', '/v1/processors/hook/secret/rotate', { secret: 'whsec_abc' });
    assert.equal(rotate.status, 400);
    assert.match(rotate.body.ret.msg, /^secret must be "whsec_"/);
    assert.equal((await call('GET', '/v1/processor/bad')).status, 404, 'nothing was written');
  });

  await t.test('rotation: a generated secret shown once, the previous one valid until the overlap ends', async () => {
    const before = (await call('GET', '/v1/processor/hook')).body;
    const rotated = await call('POST', '/v1/processors/hook/secret/rotate');
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.match(rotated.body.signing.webhook_secret, /^whsec_/);
    assert.equal(rotated.body.signing.previous_fingerprint, before.signing.fingerprint);
    const expires = Date.parse(rotated.body.signing.previous_expires_at as string);
    assert.ok(Math.abs(expires - Date.now() - 600_000) < 60_000, 'EY_SECRET_ROTATION_OVERLAP_S is the default overlap');
    assert.match(rotated.body.ret.msg, /previous secret is also signed with until/);
    assert.equal(rotated.body.processor_conf_info.version, before.processor_conf_info.version + 1);

    const given = await call('POST', '/v1/processors/hook/secret/rotate', { secret: SECRET, overlap_s: 0 });
    assert.equal(given.status, 200);
    assert.equal(given.body.signing.webhook_secret, undefined, 'a secret the caller gave is not echoed');
    assert.deepEqual([given.body.signing.previous_fingerprint, given.body.signing.previous_expires_at], [null, null]);
    assert.equal((await call('POST', '/v1/processors/nope/secret/rotate', {})).status, 404);
    assert.equal((await call('POST', '/v1/processors/hook/secret/rotate', { version: 1 })).status, 409);
  });
});

test('the admin service does not start when stored secrets do not open with its keys', async (t) => {
  const db = await createDatabase(t);
  const env = {
    EY_DATABASE_URL: db.url,
    EY_ADMIN_PORT: '0',
    EY_ADMIN_HOST: '127.0.0.1',
    EY_HEALTH_PORT: '0',
    EY_SHUTDOWN_GRACE_MS: '1000',
    EY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  };
  const first = createApp(loadConfig({ ...env, EY_SECRETS_KEY: generateSecretKey() }), { logger: silentLogger() });
  await first.start();
  const res = await fetch(`http://127.0.0.1:${first.ports.http}/v1/processor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: JSON.stringify({ processor_conf_info: HOOK }),
  });
  assert.equal(res.status, 200);
  await first.close();

  for (const [extra, code] of [
    [{}, 'EY_SECRETS_KEY_MISSING'],
    [{ EY_SECRETS_KEY: generateSecretKey() }, 'EY_SECRETS_KEY_UNKNOWN'],
  ] as const) {
    const app = createApp(loadConfig({ ...env, ...extra }), { logger: silentLogger() });
    t.after(() => app.close());
    await assert.rejects(app.start(), (err: unknown) => isEventyardError(err) && err.code === code);
  }
  assert.throws(() => loadConfig({ ...env, EY_SECRETS_KEY: 'short' }), /config: EY_SECRETS_KEY: must be 32 random bytes/);
});
