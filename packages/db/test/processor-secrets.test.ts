// Processor secrets: generated for webhooks, refused when malformed, sealed at rest with EY_SECRETS_KEY
// (opened with a previous key after the key is rotated, a clear error with a wrong or missing key),
// re-sealed under the current key, and rotated with an overlap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSecretKey, isEventyardError, parseSecretKey, SecretKeyring } from '@eventyard/core';
import {
  assertProcessorSecretsReadable,
  getProcessor,
  listProcessors,
  resealProcessorSecrets,
  rotateProcessorSecret,
  saveProcessor,
  upsertProcessor,
  useSecretKeyring,
  type ProcessorInput,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const hook: ProcessorInput = { dispatcher_id: 'hook', app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend', addr: 'https://example.test/hook' };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const keyA = parseSecretKey(generateSecretKey(), 'A');
const keyB = parseSecretKey(generateSecretKey(), 'B');

function hasCode(code: string, message?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isEventyardError(err), `expected an EventyardError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  };
}

async function rawRow(knex: Awaited<ReturnType<typeof createDatabase>>['knex'], id: string): Promise<Record<string, string | null>> {
  return (await knex('processors').where({ dispatcher_id: id }).first('webhook_secret', 'webhook_secret_previous', 'auth_token')) as Record<
    string,
    string | null
  >;
}

test('an httpSend processor without a secret gets a generated whsec_ one once; later writes keep it', async (t) => {
  const { knex } = await createDatabase(t);
  const created = await saveProcessor(knex, hook);
  assert.match(created.generatedWebhookSecret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from((created.generatedWebhookSecret ?? '').slice(6), 'base64').length, 32);
  assert.equal(created.record.webhook_secret, created.generatedWebhookSecret);
  const again = await saveProcessor(knex, { ...hook, timeout: 5 });
  assert.equal(again.generatedWebhookSecret, null);
  assert.equal(again.record.webhook_secret, created.generatedWebhookSecret);
  // gRPC signing is opt-in: no secret generated.
  const grpc = await saveProcessor(knex, { ...hook, dispatcher_id: 'rpc', protocol_type: 'grpcSend', addr: 'rpc.example.test:9001' });
  assert.equal(grpc.generatedWebhookSecret, null);
  assert.equal(grpc.record.webhook_secret, null);
});

test('a malformed webhook_secret is refused naming the field', async (t) => {
  const { knex } = await createDatabase(t);
  for (const bad of [
    'whsec_abc',
    'secret-without-prefix',
    'whsec_not base64!!',
    `whsec_${Buffer.alloc(65).toString('base64')}`,
    `whsec_${Buffer.alloc(23).toString('base64')}`,
  ]) {
    await assert.rejects(upsertProcessor(knex, { ...hook, webhook_secret: bad }), hasCode('EY_INVALID_CONFIG', /^webhook_secret must/));
  }
  await assert.rejects(rotateProcessorSecret(knex, 'hook', { secret: 'whsec_abc', overlapMs: 0 }), hasCode('EY_INVALID_CONFIG', /^secret must/));
});

test('secrets are sealed at rest and open with the current or a previous key; a wrong or missing key is a clear error', async (t) => {
  const { knex } = await createDatabase(t);
  useSecretKeyring(knex, new SecretKeyring(keyA));
  await upsertProcessor(knex, { ...hook, webhook_secret: SECRET, auth_token: 'bearer-token-123' });
  const raw = await rawRow(knex, 'hook');
  assert.match(raw.webhook_secret ?? '', new RegExp(`^eyenc:v1:${keyA.id}:`));
  assert.ok(!(raw.webhook_secret ?? '').includes(SECRET.slice(6)), 'the raw column does not hold the secret');
  assert.ok(!(raw.auth_token ?? '').includes('bearer-token-123'));
  assert.equal((await getProcessor(knex, 'hook'))?.auth_token, 'bearer-token-123');

  // EY_SECRETS_KEY rotated: B is current, A previous. Old rows still open; reseal moves them to B.
  useSecretKeyring(knex, new SecretKeyring(keyB, [keyA]));
  assert.equal((await getProcessor(knex, 'hook'))?.webhook_secret, SECRET);
  assert.deepEqual(await resealProcessorSecrets(knex), { processors: 1, resealed: 2 });
  assert.match((await rawRow(knex, 'hook')).webhook_secret ?? '', new RegExp(`^eyenc:v1:${keyB.id}:`));
  assert.deepEqual(await resealProcessorSecrets(knex), { processors: 1, resealed: 0 });

  useSecretKeyring(knex, new SecretKeyring(keyA));
  await assert.rejects(getProcessor(knex, 'hook'), hasCode('EY_SECRETS_KEY_UNKNOWN', new RegExp(`key id ${keyB.id}, which is neither EY_SECRETS_KEY`)));
  await assert.rejects(assertProcessorSecretsReadable(knex), hasCode('EY_SECRETS_KEY_UNKNOWN'));
  useSecretKeyring(knex, new SecretKeyring(undefined));
  await assert.rejects(listProcessors(knex), hasCode('EY_SECRETS_KEY_MISSING', /processors\.webhook_secret:hook is encrypted .* EY_SECRETS_KEY is not set/));
  // The router's read: no key needed, secrets left unopened.
  const omitted = await listProcessors(knex, { secrets: 'omit' });
  assert.deepEqual(
    omitted.map((p) => [p.dispatcher_id, p.webhook_secret, p.auth_token]),
    [['hook', null, null]],
  );

  // A sealed value copied into another row does not open there.
  useSecretKeyring(knex, new SecretKeyring(keyB));
  await upsertProcessor(knex, { ...hook, dispatcher_id: 'other', webhook_secret: SECRET });
  await knex('processors')
    .where({ dispatcher_id: 'other' })
    .update({ webhook_secret: (await rawRow(knex, 'hook')).webhook_secret });
  await assert.rejects(getProcessor(knex, 'other'), hasCode('EY_SECRETS_DECRYPT_FAILED', /processors\.webhook_secret:other does not decrypt/));
});

test('plaintext rows from before the key are read as they are and sealed by reseal', async (t) => {
  const { knex } = await createDatabase(t);
  await upsertProcessor(knex, { ...hook, webhook_secret: SECRET });
  assert.equal((await rawRow(knex, 'hook')).webhook_secret, SECRET);
  await assertProcessorSecretsReadable(knex);
  useSecretKeyring(knex, new SecretKeyring(keyA));
  assert.equal((await getProcessor(knex, 'hook'))?.webhook_secret, SECRET);
  assert.deepEqual(await resealProcessorSecrets(knex), { processors: 1, resealed: 1 });
  assert.match((await rawRow(knex, 'hook')).webhook_secret ?? '', /^eyenc:v1:/);
  assert.equal((await getProcessor(knex, 'hook'))?.webhook_secret, SECRET);
});

test('rotation keeps the previous secret until the overlap ends; "[redacted]" keeps both, a new secret ends the overlap', async (t) => {
  const { knex } = await createDatabase(t);
  useSecretKeyring(knex, new SecretKeyring(keyA));
  await upsertProcessor(knex, { ...hook, webhook_secret: SECRET });
  const rotated = await rotateProcessorSecret(knex, 'hook', { overlapMs: 3_600_000 });
  assert.ok(rotated !== undefined);
  assert.match(rotated.generatedWebhookSecret ?? '', /^whsec_/);
  assert.equal(rotated.record.webhook_secret, rotated.generatedWebhookSecret);
  assert.equal(rotated.record.webhook_secret_previous, SECRET);
  const expires = rotated.record.webhook_secret_previous_expires_at?.getTime() ?? 0;
  assert.ok(Math.abs(expires - Date.now() - 3_600_000) < 60_000, `expiry about an hour ahead: ${expires}`);
  assert.equal(rotated.record.version, 2);
  assert.match((await rawRow(knex, 'hook')).webhook_secret_previous ?? '', /^eyenc:v1:/);

  const kept = await upsertProcessor(knex, { ...hook, webhook_secret: '[redacted]', timeout: 7 });
  assert.equal(kept.webhook_secret, rotated.generatedWebhookSecret);
  assert.equal(kept.webhook_secret_previous, SECRET);

  const replaced = await upsertProcessor(knex, { ...hook, webhook_secret: SECRET });
  assert.equal(replaced.webhook_secret_previous, null);
  assert.equal(replaced.webhook_secret_previous_expires_at, null);

  const noOverlap = await rotateProcessorSecret(knex, 'hook', { secret: rotated.generatedWebhookSecret ?? '', overlapMs: 0 });
  assert.equal(noOverlap?.generatedWebhookSecret, null);
  assert.equal(noOverlap?.record.webhook_secret_previous, null);
  assert.equal(await rotateProcessorSecret(knex, 'missing', { overlapMs: 0 }), undefined);
  await assert.rejects(
    upsertProcessor(knex, { ...hook, dispatcher_id: 'fresh', auth_token: '[redacted]' }),
    hasCode('EY_INVALID_CONFIG', /^auth_token "\[redacted\]" keeps a stored secret, but processor "fresh" has none/),
  );
});
