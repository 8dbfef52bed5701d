// `eventyard processors …` and the CLI's error rule against a real admin: tables hold the rows, -o json is
// the API's answer, and every failure (API error, stale version, unreachable admin, missing token) is
// exit 1 with one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFreePort, upsertProcessor } from '@eventyard/db';
import { runCli, startCliFixture } from './fixture.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

test('processors commands', async (t) => {
  const { run, db } = await startCliFixture(t);
  await upsertProcessor(db.knex, {
    dispatcher_id: 'billing',
    app_id: 'shop',
    topic_id: 'order',
    protocol_type: 'grpcSend',
    addr: '127.0.0.1:7000',
    timeout: 3000,
  });
  await upsertProcessor(db.knex, {
    dispatcher_id: 'shipping-webhook',
    app_id: 'shop',
    topic_id: 'order',
    protocol_type: 'httpSend',
    addr: 'http://127.0.0.1:7001/hook',
    webhook_secret: SECRET,
  });

  await t.test('list prints an aligned table with the rows', async () => {
    const res = await run(['processors', 'list']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^DISPATCHER_ID\s+APP_ID\s+TOPIC_ID\s+PROTOCOL\s+ADDR\s+STATE\s+VERSION$/);
    assert.match(lines[1] ?? '', /^billing\s+shop\s+order\s+grpcSend\s+127\.0\.0\.1:7000\s+active\s+1$/);
    assert.match(lines[2] ?? '', /^shipping-webhook\s+shop\s+order\s+httpSend\s+http:\/\/127\.0\.0\.1:7001\/hook\s+active\s+1$/);
    // Aligned: every row's APP_ID column starts where the header's does.
    const column = (lines[0] ?? '').indexOf('APP_ID');
    for (const line of lines.slice(1)) assert.equal(line.indexOf('shop'), column);
  });

  await t.test('get shows fields, secrets redacted; -o json is the API answer', async () => {
    const table = await run(['processors', 'get', 'shipping-webhook']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^webhook_secret\s+\[redacted\]$/m);
    assert.match(table.stdout, /^retry_strategy\.retry_count\s+0$/m);
    const json = await run(['processors', 'get', 'billing', '--output', 'json']);
    const body = JSON.parse(json.stdout) as { ret: unknown; processor_conf_info: { timeout: number; version: number } };
    assert.deepEqual(body.ret, { code: 0, msg: 'success' });
    assert.equal(body.processor_conf_info.timeout, 3000);
    assert.equal(body.processor_conf_info.version, 1);
  });

  await t.test('rotate-secret prints a generated secret once and the overlap; a given one is not echoed', async () => {
    const res = await run(['processors', 'rotate-secret', 'shipping-webhook', '--overlap-s', '60']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^rotated the webhook secret of processor shipping-webhook \(now sha256:[0-9a-f]{16}\)\nwebhook_secret \(generated, shown only now\): whsec_[A-Za-z0-9+/]{43}=\nthe previous secret is also signed with until \S+\n$/,
    );
    const given = await run(['processors', 'rotate-secret', 'shipping-webhook', '--secret', SECRET, '--overlap-s', '0']);
    assert.equal(given.code, 0, given.stderr);
    assert.ok(!given.stdout.includes(SECRET), 'a given secret is not printed');
    assert.match(given.stdout, /the previous secret is no longer signed with\n$/);
    const bad = await run(['processors', 'rotate-secret', 'shipping-webhook', '--secret', 'whsec_abc']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^eventyard: secret must be "whsec_" followed by base64[^\n]* \(EY_INVALID_CONFIG, HTTP 400\)\n$/);
  });

  await t.test('an API error is exit 1 and one line with its code and status', async () => {
    const missing = await run(['processors', 'get', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'eventyard: processor "nosuch" not found (EY_PROCESSOR_NOT_FOUND, HTTP 404)\n');
    assert.equal(missing.stdout, '');
    const stale = await run(['processors', 'delete', 'billing', '--version', '7']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^eventyard: processor "billing" was changed concurrently[^\n]* \(EY_[A-Z_]+, HTTP 409\)\n$/);
    const deleted = await run(['processors', 'delete', 'billing', '--version', '1']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'deleted processor billing\n');
    assert.equal((await run(['processors', 'get', 'billing'])).code, 1);
  });

  await t.test('an unreachable admin is one line naming the URL', async () => {
    const port = await findFreePort(); // bound to learn it, then closed: nothing listens there
    const res = await runCli(['processors', 'list', '--admin-url', `http://127.0.0.1:${port}`]);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, `eventyard: cannot reach the admin API at http://127.0.0.1:${port} (ECONNREFUSED); set --admin-url or EY_ADMIN_URL\n`);
    const bad = await runCli(['processors', 'list', '--admin-url', 'localhost:8081']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'eventyard: --admin-url "localhost:8081" must be an http:// or https:// URL\n');
  });

  await t.test('usage errors are one line too', async () => {
    const res = await run(['events', 'list', '--since', 'yesterday']);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'eventyard: --since must be an ISO 8601 time (2026-01-31T12:00:00Z) or an age such as 1h, got "yesterday"\n');
  });
});

test('the admin token goes as authorization: Bearer (--admin-token, the older --token, or EY_ADMIN_TOKEN)', async (t) => {
  const { run } = await startCliFixture(t, { adminToken: 'cli-test-token-0123456789' });
  const none = await run(['processors', 'list'], { EY_ADMIN_TOKEN: '' });
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'eventyard: authorization: Bearer <admin token or API key> is required (EY_UNAUTHENTICATED, HTTP 401)\n');
  const wrong = await run(['processors', 'list'], { EY_ADMIN_TOKEN: 'not-the-token' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /\(EY_UNAUTHENTICATED, HTTP 401\)\n$/);
  const flag = await run(['--admin-token', 'cli-test-token-0123456789', 'processors', 'list', '-o', 'json'], { EY_ADMIN_TOKEN: '' });
  assert.equal(flag.code, 0, flag.stderr);
  assert.deepEqual(JSON.parse(flag.stdout).processors, []);
  const old = await run(['--token', 'cli-test-token-0123456789', 'processors', 'list'], { EY_ADMIN_TOKEN: '' });
  assert.equal(old.code, 0, old.stderr);
  const env = await run(['processors', 'list'], { EY_ADMIN_TOKEN: 'cli-test-token-0123456789' });
  assert.equal(env.code, 0, env.stderr);
});
