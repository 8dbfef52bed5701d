// Standard Webhooks signing against the specification's published example, and the message id rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signingSecrets } from '../../src/processors/processor-settings.ts';
import { webhookHeaders, webhookId, webhookKey, webhookSignature } from '../../src/send/webhook-signature.ts';

test('signature matches the Standard Webhooks example vector', () => {
  const signature = webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('a secret without the whsec_ prefix keys with its UTF-8 bytes', () => {
  assert.deepEqual(webhookKey('plain-secret'), Buffer.from('plain-secret'));
  assert.deepEqual(webhookKey(`whsec_${Buffer.from('raw').toString('base64')}`), Buffer.from('raw'));
});

test('webhook-id is stable per event and processor, distinct per repeat occurrence', () => {
  assert.equal(webhookId('123', 'billing', 0), 'msg_123_billing');
  assert.equal(webhookId('123', 'billing', 0), webhookId('123', 'billing', 0));
  assert.notEqual(webhookId('123', 'billing', 1), webhookId('123', 'billing', 0));
});

test('headers: signature only with a secret', () => {
  const body = Buffer.from('{}');
  const unsigned = webhookHeaders({ id: 'msg_1', body, secrets: [], nowMs: 1_700_000_000_500 });
  assert.deepEqual(unsigned, { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' });
  const signed = webhookHeaders({ id: 'msg_1', body, secrets: ['s'], nowMs: 1_700_000_000_500 });
  assert.equal(signed['webhook-signature'], webhookSignature('s', 'msg_1', 1_700_000_000, body));
});

test('during a rotation overlap: one signature per secret, space-separated, current first; after it only the current one', () => {
  const body = Buffer.from('{}');
  const settings = { webhookSecret: 'new', previousWebhookSecret: { secret: 'old', untilMs: 1_700_000_060_000 } };
  const during = webhookHeaders({ id: 'msg_1', body, secrets: signingSecrets(settings, 1_700_000_000_500), nowMs: 1_700_000_000_500 });
  assert.equal(
    during['webhook-signature'],
    `${webhookSignature('new', 'msg_1', 1_700_000_000, body)} ${webhookSignature('old', 'msg_1', 1_700_000_000, body)}`,
  );
  assert.deepEqual(signingSecrets(settings, 1_700_000_060_000), ['new']);
  assert.deepEqual(signingSecrets({ webhookSecret: null, previousWebhookSecret: null }, 0), []);
});
