// The chart's key for processor secrets at rest: without it the admin stores webhook secrets and auth
// tokens as plaintext (with a warning), so a default install gets a random key in a Secret, given to the
// admin and the dispatcher only, kept across upgrades (`lookup`) and on uninstall; a user's Secret and the
// previous keys of a rotation are wired instead when given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveEnv, find, ofKind, onlyContainer, render } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';
const KEY_SECRET = `${FULLNAME}-secrets-key`;
const USERS = new Set([`${FULLNAME}-admin`, `${FULLNAME}-dispatcher`]);

test('default values: a random 32-byte key in a kept Secret, given to the admin and the dispatcher only', async (t) => {
  const objects = await render(t);
  const secret = find(objects, 'Secret', KEY_SECRET);
  assert.equal((secret.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/resource-policy'], 'keep');
  // The Secret's value is the key as EY_SECRETS_KEY takes it: base64 of 32 random bytes.
  const value = Buffer.from((secret.data as { key: string }).key, 'base64').toString('utf8');
  assert.equal(Buffer.from(value, 'base64').length, 32);
  for (const deployment of ofKind(objects, 'Deployment')) {
    const env = effectiveEnv(onlyContainer(deployment), objects);
    if (USERS.has(deployment.metadata.name)) assert.equal(env.get('EY_SECRETS_KEY'), `secret:${KEY_SECRET}/key`, deployment.metadata.name);
    else assert.equal(env.has('EY_SECRETS_KEY'), false, deployment.metadata.name);
  }
});

test("a user's Secret and the previous keys of a rotation are wired instead of the chart's own", async (t) => {
  const objects = await render(t, {
    set: ['secretsEncryption.existingSecret=ey-keys', 'secretsEncryption.existingSecretKey=current', 'secretsEncryption.previousKeysSecret=ey-old-keys'],
  });
  assert.equal(ofKind(objects, 'Secret').some((s) => s.metadata.name === KEY_SECRET), false);
  const dispatcher = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-dispatcher`)), objects);
  assert.equal(dispatcher.get('EY_SECRETS_KEY'), 'secret:ey-keys/current');
  assert.equal(dispatcher.get('EY_SECRETS_KEY_PREVIOUS'), 'secret:ey-old-keys/previous');
});
