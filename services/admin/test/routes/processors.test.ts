// Processor config routes over real HTTP: EvHub's upsert and get, optimistic versions, delete, the
// keyset-paginated list, secrets never shown, and every bad input answered 4xx with the field named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getProcessor } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const BILLING = {
  dispatcher_id: 'billing',
  app_id: 'shop',
  topic_id: 'order',
  protocol_type: 'grpcSend',
  addr: 'ip://127.0.0.1:6001',
  timeout: 5000,
  retry_strategy: { retry_count: 3, retry_interval: 1000 },
  filter_tag: { vip: true },
};

test('processor routes', async (t) => {
  const admin = await startAdmin(t);
  const { call } = admin;

  await t.test('POST creates, GET returns it with its version, POST again fully replaces', async () => {
    const created = await call('POST', '/v1/processor', { processor_conf_info: BILLING });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(created.body.ret, { code: 0, msg: 'success' });
    assert.equal(created.body.processor_conf_info.version, 1);

    const got = await call('GET', '/v1/processor/billing');
    assert.equal(got.status, 200);
    assert.equal(got.body.ret.code, 0);
    const info = got.body.processor_conf_info;
    assert.equal(info.addr, 'ip://127.0.0.1:6001');
    assert.equal(info.timeout, 5000);
    assert.deepEqual(info.retry_strategy, { retry_count: 3, retry_interval: 1000, strategy_type: '' });
    assert.deepEqual(info.filter_tag, { vip: true });
    assert.equal(info.version, 1);

    // Full replace: what the second POST leaves out goes back to its default.
    const replaced = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, filter_tag: undefined, timeout: 250 } });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.processor_conf_info.version, 2);
    assert.deepEqual(replaced.body.processor_conf_info.filter_tag, {});
    assert.equal(replaced.body.processor_conf_info.timeout, 250);
    assert.equal(replaced.body.processor_conf_info.is_retry, null, 'left out: not set, retries follow retry_strategy');
  });

  await t.test('is_retry keeps an explicit false apart from not set, and a GET posted back is accepted', async () => {
    const off = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, dispatcher_id: 'billing-once', is_retry: false } });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const got = await call('GET', '/v1/processor/billing-once');
    assert.equal(got.body.processor_conf_info.is_retry, false);
    const unset = await call('POST', '/v1/processor', { processor_conf_info: { ...got.body.processor_conf_info, is_retry: null } });
    assert.equal(unset.status, 200, JSON.stringify(unset.body));
    assert.equal(unset.body.processor_conf_info.is_retry, null);
    assert.equal((await call('DELETE', '/v1/processor/billing-once')).status, 200);
  });

  await t.test('a POST carrying a stale version gets 409; the current one succeeds', async () => {
    const stale = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, version: 1 } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.ret.code, 10000);
    assert.match(stale.body.ret.msg, /processor "billing" was changed concurrently: expected version 1, current version 2/);
    assert.equal(stale.body.error, 'EY_VERSION_CONFLICT');
    const current = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, version: 2 } });
    assert.equal(current.status, 200);
    assert.equal(current.body.processor_conf_info.version, 3);
    const createOnly = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, version: 0 } });
    assert.equal(createOnly.status, 409);
    assert.match(createOnly.body.ret.msg, /already exists/);
  });

  await t.test('secrets are redacted on GET and kept when "[redacted]" is posted back', async () => {
    await call('POST', '/v1/processor', {
      processor_conf_info: { ...BILLING, dispatcher_id: 'hook', protocol_type: 'httpSend', addr: 'https://example.test/hook', webhook_secret: SECRET },
    });
    const got = await call('GET', '/v1/processor/hook');
    assert.equal(got.body.processor_conf_info.webhook_secret, '[redacted]');
    assert.equal(got.body.processor_conf_info.auth_token, null);
    // GET → edit → POST as is: the version makes it optimistic, the timestamps are ignored.
    const posted = await call('POST', '/v1/processor', { processor_conf_info: { ...got.body.processor_conf_info, description: 'edited' } });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assert.equal(posted.body.processor_conf_info.version, 2);
    assert.equal((await call('POST', '/v1/processor', { processor_conf_info: { ...got.body.processor_conf_info } })).status, 409);
    assert.equal((await getProcessor(admin.db.knex, 'hook'))?.webhook_secret, SECRET);
    const noSecret = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, auth_token: '[redacted]' } });
    assert.equal(noSecret.status, 400);
    assert.match(noSecret.body.ret.msg, /^auth_token "\[redacted\]" keeps a stored secret, but processor "billing" has none/);
  });

  await t.test('list pages by dispatcher_id with a cursor and filters by app and topic', async () => {
    for (const id of ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']) {
      const res = await call('POST', '/v1/processor', { processor_conf_info: { ...BILLING, dispatcher_id: id, app_id: 'listing' } });
      assert.equal(res.status, 200);
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = await call('GET', `/v1/processors?app_id=listing&limit=2&cursor=${cursor}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.processors.map((p: { dispatcher_id: string }) => p.dispatcher_id));
      cursor = page.body.next_cursor;
      pages += 1;
    }
    assert.deepEqual(seen, ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    assert.equal(pages, 3);
    const all = await call('GET', '/v1/processors');
    assert.deepEqual(
      all.body.processors.map((p: { dispatcher_id: string }) => p.dispatcher_id),
      ['billing', 'hook', 'p-a', 'p-b', 'p-c', 'p-d', 'p-e'],
    );
    const none = await call('GET', '/v1/processors?app_id=listing&topic_id=nothing');
    assert.deepEqual(none.body.processors, []);
    assert.equal(none.body.next_cursor, null);
  });

  await t.test('delete: stale version 409, then deleted, then 404', async () => {
    const stale = await call('DELETE', '/v1/processor/p-e?version=7');
    assert.equal(stale.status, 409);
    const deleted = await call('DELETE', '/v1/processor/p-e?version=1');
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { ret: { code: 0, msg: 'success' } });
    const gone = await call('GET', '/v1/processor/p-e');
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body.ret, { code: 10000, msg: 'processor "p-e" not found' });
    assert.equal((await call('DELETE', '/v1/processor/p-e')).status, 404);
  });

  await t.test('bad input gets a 4xx naming the problem', async () => {
    const post = (body: unknown) => call('POST', '/v1/processor', body);
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['no wrapper', { dispatcher_id: 'x' }, 400, /^processor_conf_info is required$/],
      ['wrapper not an object', { processor_conf_info: 'x' }, 400, /^processor_conf_info must be an object$/],
      ['missing app_id', { processor_conf_info: { ...BILLING, app_id: undefined } }, 400, /^processor_conf_info\.app_id is required$/],
      ['empty app_id', { processor_conf_info: { ...BILLING, app_id: ' ' } }, 400, /^app_id is required \(a non-empty string\)$/],
      ['timeout as text', { processor_conf_info: { ...BILLING, timeout: '5000' } }, 400, /^processor_conf_info\.timeout must be an integer$/],
      [
        'negative retry count',
        { processor_conf_info: { ...BILLING, retry_strategy: { retry_count: -1 } } },
        400,
        /^processor_conf_info\.retry_strategy\.retry_count must be >= 0$/,
      ],
      [
        'unknown protocol',
        { processor_conf_info: { ...BILLING, protocol_type: 'smoke' } },
        400,
        /^processor_conf_info\.protocol_type must be one of "grpcSend", "httpSend"$/,
      ],
      ['unknown field', { processor_conf_info: { ...BILLING, colour: 'red' } }, 400, /^processor_conf_info\.colour is not a known field$/],
      ['unknown top-level field', { processor_conf_info: BILLING, extra: 1 }, 400, /^extra is not a known field$/],
      ['bad dispatcher_id', { processor_conf_info: { ...BILLING, dispatcher_id: 'has space' } }, 400, /^dispatcher_id may contain only/],
      [
        'filter_tag value',
        { processor_conf_info: { ...BILLING, filter_tag: { vip: 'yes' } } },
        400,
        /^processor_conf_info\.filter_tag\.vip must be a boolean$/,
      ],
      ['filter not an object', { processor_conf_info: { ...BILLING, filter: [1] } }, 400, /^processor_conf_info\.filter must be an object$/],
    ];
    for (const [name, body, status, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.ret.code, 10000, name);
      assert.match(res.body.ret.msg, message, name);
    }
    const badJson = await call('POST', '/v1/processor', '{"processor_conf_info": {');
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error, 'EY_INVALID_JSON');
    assert.match(badJson.body.ret.msg, /^request body is not valid JSON/);
    const empty = await call('POST', '/v1/processor', '');
    assert.equal(empty.status, 400);
    const text = await call('POST', '/v1/processor', 'hello', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    assert.match(text.body.ret.msg, /content-type must be application\/json/);
    for (const query of ['limit=0', 'limit=5000', 'limit=ten', 'colour=red']) {
      const res = await call('GET', `/v1/processors?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(res.body.ret.msg, query === 'colour=red' ? /^colour is not a known field$/ : /^limit must be an integer from 1 to 1000$/, query);
    }
    const badVersion = await call('DELETE', '/v1/processor/billing?version=-1');
    assert.equal(badVersion.status, 400);
    assert.match(badVersion.body.ret.msg, /^version must be a non-negative integer$/);
  });
});
