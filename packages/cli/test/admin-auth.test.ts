// Admin access over the network, with the admin as its own process: API keys used by the CLI as its
// admin credential (the route's permission or 403; revoked and expired keys 401), and the dev stack's
// token file read by the CLI for a local admin only.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLoopbackUrl } from '../src/dev-admin-token.ts';
import { startCliFixture } from './fixture.ts';

test('an API key as the admin credential: its permission allows a route, another is 403, revoked or expired is 401', async (t) => {
  const { run, adminUrl, adminToken } = await startCliFixture(t);
  const create = async (args: string[]) => {
    const res = await run(['keys', 'create', '--app-id', '*', '-o', 'json', ...args]);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout) as { api_key: { id: string }; secret: string };
  };
  const reader = await create(['--permission', 'events:read']);
  const asReader = (args: string[]) => run(args, { EY_ADMIN_TOKEN: reader.secret });

  const list = await asReader(['processors', 'list', '-o', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const keys = await asReader(['keys', 'list']);
  assert.equal(keys.code, 1);
  assert.equal(
    keys.stderr,
    `eventyard: authorization: API key ${reader.api_key.id} lacks the "keys:manage" permission this route needs (EY_PERMISSION_DENIED, HTTP 403)\n`,
  );

  // The same over plain HTTP, without the CLI: no credential at all is 401 on every /v1 route.
  const anonymous = await fetch(`${adminUrl}/v1/events?app_id=shop`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: string }).error, 'EY_UNAUTHENTICATED');

  const revoke = await run(['keys', 'revoke', reader.api_key.id]);
  assert.equal(revoke.code, 0, revoke.stderr);
  const revoked = await asReader(['processors', 'list']);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /unknown, revoked or expired\) \(EY_UNAUTHENTICATED, HTTP 401\)\n$/);

  const soon = await create(['--permission', 'admin', '--expires-at', '8s']);
  assert.equal((await run(['keys', 'list'], { EY_ADMIN_TOKEN: soon.secret })).code, 0);
  const deadline = Date.now() + 30_000;
  let last = await run(['keys', 'list'], { EY_ADMIN_TOKEN: soon.secret });
  while (last.code === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await run(['keys', 'list'], { EY_ADMIN_TOKEN: soon.secret });
  }
  assert.match(last.stderr, /\(EY_UNAUTHENTICATED, HTTP 401\)\n$/);
  assert.ok(adminToken.length >= 16);
});

test('with no token given, the CLI uses the dev token in EY_DATA_DIR (or ./data) for a local admin', async (t) => {
  const { run, adminToken } = await startCliFixture(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-cli-devtoken-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const without = await run(['processors', 'list'], { EY_ADMIN_TOKEN: '', EY_DATA_DIR: dataDir });
  assert.equal(without.code, 1);
  assert.match(without.stderr, /HTTP 401/);
  await writeFile(join(dataDir, 'admin-token'), `${adminToken}\n`, { mode: 0o600 });
  const withFile = await run(['processors', 'list'], { EY_ADMIN_TOKEN: '', EY_DATA_DIR: dataDir });
  assert.equal(withFile.code, 0, withFile.stderr);
  // A token given explicitly wins over the file.
  const explicit = await run(['processors', 'list'], { EY_ADMIN_TOKEN: 'wrong-token-0123456789', EY_DATA_DIR: dataDir });
  assert.equal(explicit.code, 1);
});

test('the dev token is only ever sent to this machine', () => {
  for (const url of ['http://127.0.0.1:8081', 'http://localhost:8081', 'http://[::1]:8081', 'https://127.0.0.2']) assert.ok(isLoopbackUrl(url), url);
  for (const url of ['http://10.0.0.5:8081', 'http://admin.example.com', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'not a url'])
    assert.ok(!isLoopbackUrl(url), url);
});
