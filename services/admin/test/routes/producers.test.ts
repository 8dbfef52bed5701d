// Producer config routes over real HTTP: EvHub's upsert and get (with the fields EvHub accepted but
// never used), optimistic versions, 404 and validation messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from '../fixture.ts';

test('producer routes', async (t) => {
  const { call } = await startAdmin(t);

  await t.test('POST upserts and GET returns the config', async () => {
    // EvHub's own README example.
    const body = { producer_conf_info: { app_id: 'eh', topic_id: 'test', tx_protocol_type: 0, tx_address: 'addr', tx_callback_interval: 5000, qps: 100 } };
    const saved = await call('POST', '/v1/producer', body);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.ret, { code: 0, msg: 'success' });
    const got = await call('GET', '/v1/producer/eh/test');
    assert.equal(got.status, 200);
    assert.equal(got.body.producer_conf_info.tx_address, 'addr');
    assert.equal(got.body.producer_conf_info.tx_callback_interval, 5000);
    assert.equal(got.body.producer_conf_info.qps, 100);
    assert.equal(got.body.producer_conf_info.total_msg, 0);
    assert.equal(got.body.producer_conf_info.version, 1);
    const stale = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'eh', topic_id: 'test', version: 5 } });
    assert.equal(stale.status, 409);
    assert.match(stale.body.ret.msg, /producer "eh\/test" was changed concurrently/);
  });

  await t.test('DELETE removes a producer; a stale version is 409, an unknown one 404, a bad version 400', async () => {
    const saved = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'eh', topic_id: 'gone' } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await call('DELETE', '/v1/producer/eh/gone?version=7')).status, 409);
    assert.equal((await call('DELETE', '/v1/producer/eh/gone?version=x')).status, 400);
    const deleted = await call('DELETE', '/v1/producer/eh/gone?version=1');
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal((await call('GET', '/v1/producer/eh/gone')).status, 404);
    const again = await call('DELETE', '/v1/producer/eh/gone');
    assert.equal(again.status, 404);
    assert.equal(again.body.ret.msg, 'producer "eh/gone" not found');
  });

  await t.test('unknown producer is 404; bad fields are named', async () => {
    const missing = await call('GET', '/v1/producer/eh/nothing');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.ret, { code: 10000, msg: 'producer "eh/nothing" not found' });
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^producer_conf_info is required$/],
      [{ producer_conf_info: { topic_id: 't' } }, /^producer_conf_info\.app_id is required$/],
      [{ producer_conf_info: { app_id: 'a', topic_id: 't', tx_timeout: 1.5 } }, /^producer_conf_info\.tx_timeout must be an integer$/],
      [{ producer_conf_info: { app_id: 'a', topic_id: 't', tx_address: 7 } }, /^producer_conf_info\.tx_address must be a string$/],
      [{ producer_conf_info: { app_id: 'a', topic_id: '' } }, /^topic_id is required \(a non-empty string\)$/],
      [{ producer_conf_info: { app_id: 'a', topic_id: 't', surprise: true } }, /^producer_conf_info\.surprise is not a known field$/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/v1/producer', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.ret.code, 10000);
      assert.match(res.body.ret.msg, message);
    }
  });
});

test('GET /v1/producers lists by app, page by page', async (t) => {
  const { call } = await startAdmin(t);
  for (const [app_id, topic_id] of [
    ['shop', 'order'],
    ['shop', 'refund'],
    ['shop', 'cart'],
    ['crm', 'lead'],
  ]) {
    const saved = await call('POST', '/v1/producer', { producer_conf_info: { app_id, topic_id, tx_address: `${app_id}-${topic_id}` } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  }

  const all = await call('GET', '/v1/producers');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.producers.map((p: { app_id: string; topic_id: string }) => `${p.app_id}/${p.topic_id}`),
    ['crm/lead', 'shop/cart', 'shop/order', 'shop/refund'],
  );
  assert.equal(all.body.next_cursor, null);
  assert.equal(all.body.producers[0].version, 1);

  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page += 1) {
    const res = await call('GET', `/v1/producers?app_id=shop&limit=2${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.producers.length <= 2);
    seen.push(...res.body.producers.map((p: { topic_id: string }) => p.topic_id));
    if (res.body.next_cursor === null) break;
    cursor = res.body.next_cursor;
  }
  assert.deepEqual(seen, ['cart', 'order', 'refund']);

  const badCursor = await call('GET', '/v1/producers?cursor=nonsense');
  assert.equal(badCursor.status, 400);
  assert.deepEqual(badCursor.body, { ret: { code: 10000, msg: 'cursor is not a next_cursor this route returned' }, error: 'EY_INVALID_REQUEST' });
  const badLimit = await call('GET', '/v1/producers?limit=0');
  assert.equal(badLimit.status, 400);
  assert.match(badLimit.body.ret.msg, /^limit must be an integer from 1 to 1000$/);
  const unknown = await call('GET', '/v1/producers?topic=x');
  assert.equal(unknown.status, 400);
  const doc = await call('GET', '/openapi.json');
  assert.ok('/v1/producers' in doc.body.paths);
});
