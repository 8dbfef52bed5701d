// Source routes over real HTTP: create, read, list, pause/resume, optimistic versions, delete, and
// validation messages that name the bad field (credentials are refused inline: references only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from '../fixture.ts';

test('source routes', async (t) => {
  const { call } = await startAdmin(t);
  const orders = {
    source_id: 'orders-in',
    app_id: 'shop',
    topic_id: 'order',
    topic: 'orders',
    mapping: { ordering_key: { from: 'header', header: 'customer' }, tag_headers: ['region'], idempotency_key: { header: 'msg-id' } },
    start_from: 'earliest',
  };

  await t.test('POST creates with defaults filled in; GET and the list show it', async () => {
    const saved = await call('POST', '/v1/sources', { ...orders, version: 0 });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.source.version, 1);
    assert.deepEqual(saved.body.source.mapping, {
      data: 'json',
      ordering_key: { from: 'header', header: 'customer' },
      tag_headers: ['region'],
      idempotency_key: { header: 'msg-id', window_ms: 0 },
    });
    assert.equal(saved.body.source.cluster, null);
    assert.equal(saved.body.source.paused, false);
    const got = await call('GET', '/v1/sources/orders-in');
    assert.equal(got.status, 200);
    assert.equal(got.body.source.topic, 'orders');
    await call('POST', '/v1/sources', { source_id: 'other', app_id: 'ops', topic_id: 'audit', topic: 'audit-log' });
    const list = await call('GET', '/v1/sources?app_id=shop');
    assert.deepEqual(
      list.body.sources.map((s: { source_id: string }) => s.source_id),
      ['orders-in'],
    );
    const page = await call('GET', '/v1/sources?limit=1');
    assert.equal(page.body.sources.length, 1);
    assert.equal(page.body.next_cursor, 'orders-in');
    const rest = await call('GET', `/v1/sources?cursor=${page.body.next_cursor}`);
    assert.deepEqual(
      rest.body.sources.map((s: { source_id: string }) => s.source_id),
      ['other'],
    );
  });

  await t.test('pause and resume bump the version; a stale version is 409', async () => {
    const paused = await call('POST', '/v1/sources/orders-in/pause');
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.source.paused, true);
    assert.equal(paused.body.source.version, 2);
    assert.equal((await call('POST', '/v1/sources/orders-in/resume', { version: 1 })).status, 409);
    const resumed = await call('POST', '/v1/sources/orders-in/resume', { version: 2 });
    assert.equal(resumed.body.source.paused, false);
    const created = await call('POST', '/v1/sources', { ...orders, version: 0 });
    assert.equal(created.status, 409);
    assert.match(created.body.ret.msg, /source "orders-in" already exists/);
    assert.equal((await call('POST', '/v1/sources/nope/pause')).status, 404);
  });

  await t.test('another cluster takes credentials by reference only', async () => {
    const cluster = {
      brokers: ['kafka-a:9093', '[::1]:9092'],
      sasl: { mechanism: 'scram-sha-512', username_env: 'SRC_USER', password_file: '/etc/eventyard/sources/a/password' },
      tls: { ca_file: '/etc/eventyard/sources/a/ca.crt' },
    };
    const saved = await call('POST', '/v1/sources', { source_id: 'remote', app_id: 'shop', topic_id: 'order', topic: 'orders', cluster });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.source.cluster, cluster);
  });

  await t.test('bad fields are named', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ app_id: 'a', topic_id: 't', topic: 'x' }, 400, /source_id is required/],
      [{ ...orders, topic: 'bad topic' }, 400, /^topic may contain only ASCII letters, digits/],
      [{ ...orders, source_id: 'a/b' }, 400, /^source_id may contain only/],
      [{ ...orders, start_from: 'middle' }, 400, /start_from must be equal to one of the allowed values|start_from must be one of/],
      [{ ...orders, mapping: { data: 'xml' } }, 400, /mapping\.data/],
      [{ ...orders, mapping: { ordering_key: { from: 'header' } } }, 400, /^mapping\.ordering_key\.header must be a header name/],
      [{ ...orders, mapping: { colour: 1 } }, 400, /mapping\.colour/],
      [{ ...orders, cluster: { brokers: [] } }, 400, /^cluster\.brokers is required/],
      [{ ...orders, cluster: { brokers: ['nohost'] } }, 400, /^cluster\.brokers\[0\] must be host:port$/],
      [{ ...orders, cluster: { brokers: ['k:1'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } } }, 400, /cluster\.sasl/],
      [
        { ...orders, cluster: { brokers: ['k:1'], sasl: { mechanism: 'plain', username_env: 'U' } } },
        400,
        /^cluster\.sasl\.password_env or password_file: exactly one is required$/,
      ],
      [
        { ...orders, cluster: { brokers: ['k:1'], sasl: { mechanism: 'plain', username_env: 'U', password_file: 'relative' } } },
        400,
        /^cluster\.sasl\.password_file must be an absolute file path/,
      ],
      [{ ...orders, cluster: { brokers: ['k:1'], tls: { ca_file: '-----BEGIN' } } }, 400, /^cluster\.tls\.ca_file must be an absolute file path/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await call('POST', '/v1/sources', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(answer.body.ret.msg, message, JSON.stringify(body));
    }
  });

  await t.test('DELETE removes it; unknown is 404; the OpenAPI document lists the routes', async () => {
    assert.equal((await call('DELETE', '/v1/sources/other?version=9')).status, 409);
    assert.equal((await call('DELETE', '/v1/sources/other')).status, 200);
    const missing = await call('GET', '/v1/sources/other');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'EY_SOURCE_NOT_FOUND');
    const doc = await call('GET', '/openapi.json');
    for (const path of ['/v1/sources', '/v1/sources/{source_id}', '/v1/sources/{source_id}/pause', '/v1/sources/{source_id}/resume'])
      assert.ok(doc.body.paths[path], path);
  });
});
