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
