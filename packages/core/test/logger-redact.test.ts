// Logs never carry secrets, however deep they sit: each secret below is a unique marker, and no line may
// contain any of them, while the harmless fields beside them stay readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CoreErrors, createLogger, EventyardError } from '../src/index.ts';
import { redactSecrets } from '../src/redact.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, log: createLogger({ name: 'test', destination }) };
}

/** Wraps `leaf` in `depth` levels of harmless objects: { a: { a: ... leaf } }. */
function nest(leaf: Record<string, unknown>, depth: number): Record<string, unknown> {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value, keep: `level-${i}` };
  return value;
}

const SECRET_FIELDS: Array<[string, Record<string, unknown>]> = [
  ['authorization header', { headers: { authorization: 'Bearer S1-authz' } }],
  ['Authorization, capitalised', { Authorization: 'Bearer S2-authz' }],
  ['proxy-authorization', { 'proxy-authorization': 'Basic S3-proxy' }],
  ['password', { password: 'S4-password' }],
  ['sasl password', { sasl: { mechanism: 'plain', username: 'u', password: 'S5-sasl' } }],
  ['token', { token: 'S6-token' }],
  ['adminToken', { adminToken: 'S7-admin' }],
  ['auth_token (processor config)', { processor_conf_info: { auth_token: 'S8-auth' } }],
  ['webhook secret', { webhook: { secret: 'S9-webhook' } }],
  ['webhook_secret', { webhook_secret: 'S10-webhook' }],
  ['apiKey', { apiKey: 'S11-apikey' }],
  ['api_key', { api_key: 'S12-apikey' }],
  ['x-api-key header', { headers: { 'x-api-key': 'S13-header' } }],
  ['databaseUrl', { databaseUrl: 'postgres://u:S14-dsn@db:5432/x' }],
  ['dsn', { dsn: 'S15-dsn' }],
  ['TLS key', { tls: { cert: 'public-cert', key: 'S16-tlskey' } }],
  ['private_key', { private_key: 'S17-private' }],
  ['client secret in an array', { clients: [{ name: 'c', client_secret: 'S18-client' }] }],
  ['a DSN in a plain string', { url: 'postgres://eventyard:S19-inurl@db:5432/eventyard' }],
  ['cookie', { headers: { cookie: 'session=S20-cookie' } }],
  ['webhook-signature', { headers: { 'webhook-signature': 'v1,S21-sig' } }],
];

for (const depth of [0, 1, 2, 3, 6]) {
  test(`every secret field is redacted ${depth} level(s) below the top`, () => {
    const { lines, log } = capture();
    for (const [, leaf] of SECRET_FIELDS) log.info(nest({ ...leaf, topic: 'orders' }, depth), 'with a secret');
    assert.equal(lines.length, SECRET_FIELDS.length);
    SECRET_FIELDS.forEach(([what, leaf], index) => {
      const line = lines[index] ?? '';
      const marker = /S\d+-[a-z]+/.exec(JSON.stringify(leaf))?.[0] ?? '';
      assert.ok(marker !== '' && !line.includes(marker), `${what} at depth ${depth} leaked: ${line}`);
      assert.ok(line.includes('"topic":"orders"'), `${what}: the harmless field beside it is gone: ${line}`);
      if (depth > 0) assert.ok(line.includes(`"keep":"level-${depth - 1}"`), line);
    });
  });
}

test('secrets in child bindings, error contexts and causes are redacted too', () => {
  const { lines, log } = capture();
  log.child({ component: 'x', config: { kafka: { sasl: { password: 'B1-binding' } } } }).info('child');
  const err = new EventyardError(CoreErrors.EY_INVALID_STATE, 'failed', { context: { target: { url: 'https://hook', webhook_secret: 'E1-context' } } });
  log.error({ err }, 'failed');
  const all = lines.join('');
  assert.ok(!all.includes('B1-binding'), all);
  assert.ok(!all.includes('E1-context'), all);
  assert.ok(all.includes('"url":"https://hook"'), all);
  assert.ok(all.includes('"component":"x"'), all);
});

test('look-alike harmless fields stay: message keys, ids, token counts in names that only contain the word', () => {
  const { lines, log } = capture();
  log.info({ key: 'order-7', keyId: 'abc123', tokenFile: '/data/admin-token', admin_token_from: '/data/admin-token', url: 'https://example.com/a@b' }, 'fine');
  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(line.key, 'order-7');
  assert.equal(line.keyId, 'abc123');
  assert.equal(line.tokenFile, '/data/admin-token');
  assert.equal(line.admin_token_from, '/data/admin-token');
  assert.equal(line.url, 'https://example.com/a@b');
});

test('a circular object is logged, not looped over', () => {
  const { lines, log } = capture();
  const loop: Record<string, unknown> = { password: 'C1-loop' };
  loop.self = loop;
  log.info({ loop }, 'circular');
  assert.ok(!(lines[0] ?? '').includes('C1-loop'));
});

test('a boolean under a secret-sounding name is a flag, logged as it is', () => {
  assert.deepEqual(redactSecrets({ requireApiKey: false, hasPassword: true, nested: { tokenSet: true, token: 't0k3n' } }), {
    requireApiKey: false,
    hasPassword: true,
    nested: { tokenSet: true, token: '[redacted]' },
  });
});
