// `eventyard keys create|list|revoke` against a real admin: the secret is printed once (and works as an
// API key in the database), list never shows it, revoke marks the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findApiKeyBySecret } from '@eventyard/db';
import { startCliFixture } from './fixture.ts';

test('keys create, list, revoke', async (t) => {
  const { run, db } = await startCliFixture(t);

  const created = await run([
    'keys',
    'create',
    '--app-id',
    'shop',
    '--app-id',
    'crm',
    '--permission',
    'report',
    '--permission',
    'broadcast',
    '--name',
    'ci',
    '--expires-at',
    '30d',
  ]);
  assert.equal(created.code, 0, created.stderr);
  const secret = /^secret: (\S+)$/m.exec(created.stdout)?.[1];
  assert.ok(secret !== undefined, created.stdout);
  assert.match(created.stdout, /^ID\s+NAME\s+APP_IDS\s+PERMISSIONS\s+CREATED_AT$/m);
  assert.match(created.stdout, /^[0-9a-f]{12}\s+ci\s+shop,crm\s+report,broadcast\s+\S+$/m);
  const key = await findApiKeyBySecret(db.knex, secret);
  assert.ok(key !== undefined, 'the printed secret is not a working key');
  assert.deepEqual(key.app_ids, ['shop', 'crm']);
  assert.ok(key.expires_at !== null && key.expires_at.getTime() > Date.now() + 29 * 86_400_000);

  const json = await run(['keys', 'create', '--app-id', '*', '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const second = JSON.parse(json.stdout) as { api_key: { id: string; permissions: string[] }; secret: string };
  assert.deepEqual(second.api_key.permissions, ['report']);

  const listed = await run(['keys', 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${key.id}\\s+ci\\s+shop,crm\\s+report,broadcast\\s+`, 'm'));
  assert.match(listed.stdout, new RegExp(`^${second.api_key.id}\\s+-\\s+\\*\\s+report\\s+`, 'm'));
  assert.ok(!listed.stdout.includes(secret), 'list shows a secret');

  const revoked = await run(['keys', 'revoke', key.id]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, `revoked key ${key.id}\n`);
  assert.equal(await findApiKeyBySecret(db.knex, secret), undefined);
  const active = await run(['keys', 'list', '--active', '-o', 'json']);
  assert.deepEqual(
    (JSON.parse(active.stdout) as { api_keys: Array<{ id: string }> }).api_keys.map((k) => k.id),
    [second.api_key.id],
  );

  const missing = await run(['keys', 'revoke', '0123456789ab']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'eventyard: API key "0123456789ab" not found (EY_API_KEY_NOT_FOUND, HTTP 404)\n');
  const badPermission = await run(['keys', 'create', '--app-id', 'shop', '--permission', 'root']);
  assert.equal(badPermission.code, 1);
  assert.equal(
    badPermission.stderr,
    'eventyard: --permission must be one of report, broadcast, admin, events:read, config:write, replay, keys:manage, got "root"\n',
  );
  const noApp = await run(['keys', 'create']);
  assert.equal(noApp.code, 1);
  assert.match(noApp.stderr, /--app-id/);
});
