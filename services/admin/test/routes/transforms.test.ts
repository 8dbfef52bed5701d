// Transforms over the admin API: POST /v1/transforms/test runs the dispatcher's code on a sample event
// (the new payload and headers, or the error a delivery would be dead-lettered with); a processor's
// transform is compiled when saved (a bad one is a 400 naming the syntax error and its position), and
// GET shows it back with its webhook_format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from '../fixture.ts';

test('POST /v1/transforms/test and processors carrying a transform', async (t) => {
  const { call } = await startAdmin(t);
  const tryIt = async (body: unknown) => {
    const res = await call('POST', '/v1/transforms/test', body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { ok: boolean; body?: unknown; data?: string; headers?: Record<string, string>; error?: { code: string; msg: string } };
  };

  await t.test('the payload reshaped, with $event and headers', async () => {
    const out = await tryIt({
      transform: '{"order": id, "total": $sum(items.price), "topic": $event.topic_id}',
      event: { topic_id: 'order', json: { id: 7, items: [{ price: 2 }, { price: 3 }] } },
    });
    assert.deepEqual(out.body, { order: 7, total: 5, topic: 'order' });
    assert.equal(Buffer.from(out.data ?? '', 'base64').toString(), '{"order":7,"total":5,"topic":"order"}');
    const base64 = Buffer.from('{"n":1}').toString('base64');
    const headers = await tryIt({ transform: '{"body": n, "headers": {"x-n": $string(n)}}', transform_headers: true, event: { data: base64 } });
    assert.deepEqual([headers.ok, headers.body, headers.headers], [true, 1, { 'x-n': '1' }]);
  });

  await t.test('a failure on the sample: ok false with the delivery error', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ transform: '$number(a)', event: { json: { a: 'x' } } }, 'EY_TRANSFORM_FAILED', /Unable to cast value to a number: "x" \(D3030\)/],
      [{ transform: 'a', event: { data: Buffer.from('plain text').toString('base64') } }, 'EY_TRANSFORM_INPUT_NOT_JSON', /not JSON/],
      [{ transform: '($f := function($x){ $f($x + 1) }; $f(0))', event: { json: {} } }, 'EY_TRANSFORM_TIMEOUT', /exceeded 100 ms/],
      [
        { transform: '{"body": 1, "headers": {"webhook-id": "x"}}', transform_headers: true, event: { json: {} } },
        'EY_TRANSFORM_OUTPUT_INVALID',
        /"webhook-id" is set by Eventyard/,
      ],
    ];
    for (const [body, code, message] of cases) {
      const out = await tryIt(body);
      assert.equal(out.ok, false, JSON.stringify(body));
      assert.equal(out.error?.code, code);
      assert.match(out.error?.msg ?? '', message);
    }
  });

  await t.test('bad expressions and bad input: 400 naming the problem', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        { transform: '{"a": $.x', event: {} },
        'EY_INVALID_TRANSFORM',
        /^transform: syntax error at position 9: Expected "}" before end of expression \(S0203\)$/,
      ],
      [{ transform: '', event: {} }, 'EY_INVALID_TRANSFORM', /must not be empty/],
      [{ event: {} }, 'EY_INVALID_REQUEST', /transform is required/],
      [{ transform: 'a', event: { data: '***' } }, 'EY_INVALID_REQUEST', /event\.data must be base64/],
    ];
    for (const [body, code, message] of cases) {
      const res = await call('POST', '/v1/transforms/test', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, code);
      assert.match(res.body.ret.msg, message);
    }
  });

  await t.test('saved with the processor, compiled first, shown by GET', async () => {
    const processor = { dispatcher_id: 'hook', app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend', addr: 'https://hooks.example.com/in' };
    const bad = await call('POST', '/v1/processor', { processor_conf_info: { ...processor, transform: '$sum(' } });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.error, 'EY_INVALID_TRANSFORM');
    assert.match(bad.body.ret.msg, /transform: syntax error at position 5: Expected "\)" before end of expression \(S0203\)/);
    const format = await call('POST', '/v1/processor', { processor_conf_info: { ...processor, webhook_format: 'cloudevents' } });
    assert.equal(format.status, 400);
    assert.match(format.body.ret.msg, /webhook_format/);
    const saved = await call('POST', '/v1/processor', {
      processor_conf_info: { ...processor, transform: '{"id": id}', transform_headers: false, webhook_format: 'cloudevents_structured' },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const got = await call('GET', '/v1/processor/hook');
    const conf = got.body.processor_conf_info as Record<string, unknown>;
    assert.deepEqual([conf.transform, conf.transform_headers, conf.webhook_format], ['{"id": id}', false, 'cloudevents_structured']);
  });
});
