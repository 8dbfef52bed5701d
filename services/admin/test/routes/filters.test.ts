// POST /v1/filters/test over real HTTP: the router's filters on sample events (tags, JSON payloads given
// as JSON or base64, the documented edge cases), and bad input refused with the path named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from '../fixture.ts';

test('POST /v1/filters/test', async (t) => {
  const { call } = await startAdmin(t);
  const tryIt = async (body: unknown) => {
    const res = await call('POST', '/v1/filters/test', body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { matched: boolean; reason?: string };
  };

  await t.test('tags and JSON filters decide as the router does', async () => {
    const filter_tag = { vip: true, test: false };
    const filter = { 'order.amount': { $gte: 100 }, 'items.sku': { $in: ['a', 'b'] } };
    const order = { order: { amount: 250 }, items: [{ sku: 'z' }, { sku: 'b' }] };
    assert.deepEqual(await tryIt({ filter_tag, filter, event: { tags: ['vip'], json: order } }), { ret: { code: 0, msg: 'success' }, matched: true });
    assert.equal((await tryIt({ filter_tag, filter, event: { tags: ['vip', 'test'], json: order } })).reason, 'filtered_by_tag');
    assert.equal((await tryIt({ filter_tag, filter, event: { tags: ['plain'], json: order } })).reason, 'filtered_by_tag');
    assert.equal(
      (await tryIt({ filter_tag, filter, event: { tags: ['vip'], json: { order: { amount: '250' } } } })).reason,
      'filtered_by_filter',
      'no coercion',
    );
    assert.equal((await tryIt({ filter, event: { json: { items: [] } } })).reason, 'filtered_by_filter', 'a missing path is a non-match');
    const base64 = Buffer.from(JSON.stringify(order)).toString('base64');
    assert.equal((await tryIt({ filter, event: { data: base64 } })).matched, true);
    assert.equal((await tryIt({ filter, event: { data: Buffer.from('not json').toString('base64') } })).reason, 'filtered_by_filter');
    assert.equal((await tryIt({ filter_tag: {}, filter: {}, event: {} })).matched, true, '{} is no filter');
  });

  await t.test('bad input: 400 naming the problem', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ filter: { amount: { $between: [1, 2] } }, event: {} }, /filter\.amount.*\$between/],
      [{ filter_tag: { vip: 'yes' }, event: {} }, /filter_tag\.vip/],
      [{ filter: { a: 1 } }, /event is required/],
      [{ event: { data: '***' } }, /event\.data must be base64/],
      [{ event: { data: 'e30=', json: {} } }, /data \(base64\) or json, not both/],
      [{ event: {}, extra: 1 }, /extra is not a known field/],
      [{ event: { tags: 'vip' } }, /event\.tags must be an array/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/v1/filters/test', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.ret.code, 10000);
      assert.match(res.body.ret.msg, message);
    }
    const notJson = await call('POST', '/v1/filters/test', '{"event":', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error, 'EY_INVALID_JSON');
  });
});
