// Transforms: compile errors name the JSONata error and position; evaluation reshapes the payload with
// `$event` bound, and every failure (not JSON, evaluation error, time budget, bad output) is a coded,
// non-retriable error naming the cause; the processor fields that carry a transform check it when saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { compileTransform, normalizeProcessor, runTransform, type TransformEventFacts } from '../../src/index.ts';

const facts: TransformEventFacts = {
  event_id: '42',
  app_id: 'shop',
  topic_id: 'order',
  tags: ['vip'],
  source: 'web',
  dispatcher_id: 'billing',
  retry_times: 0,
  repeat_times: 0,
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function fails(code: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(isEventyardError(err), String(err));
    assert.equal(err.code, code);
    assert.equal(err.retriable, false);
    assert.match(err.message, message);
    return true;
  };
}

test('a syntax error is a 400 naming the error, its position and JSONata code', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"a": $.x', /^transform: syntax error at position 9: Expected "}" before end of expression \(S0203\)$/],
    ['$sum(', /position 5: Expected "\)" before end of expression/],
    ['"abc', /String literal must be terminated/],
    ['  ', /must not be empty/],
    ['$match(x, /(a)\\1/)', /not supported \(RE2 syntax/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(
      () => compileTransform(expression),
      (err: unknown) => isEventyardError(err) && err.code === 'EY_INVALID_TRANSFORM' && err.httpStatus === 400 && message.test(err.message),
      expression,
    );
  }
});

test('the result is the new payload; $event holds the facts', async () => {
  const transform = compileTransform('{"order": id, "total": $sum(items.price), "app": $event.app_id, "vip": "vip" in $event.tags}');
  const out = await runTransform(transform, json({ id: 7, items: [{ price: 2 }, { price: 3.5 }] }), facts);
  assert.deepEqual(JSON.parse(out.data.toString()), { order: 7, total: 5.5, app: 'shop', vip: true });
  assert.deepEqual(out.headers, {});
  const empty = await runTransform(compileTransform('{"id": $event.event_id}'), Buffer.alloc(0), facts);
  assert.equal(empty.data.toString(), '{"id":"42"}', 'an empty payload is no input');
  const regex = await runTransform(compileTransform('$replace(name, /(\\w+) (\\w+)/, "$2 $1")'), json({ name: 'Ada Lovelace' }), facts);
  assert.equal(regex.data.toString(), '"Lovelace Ada"', 'regular expressions run on RE2');
});

test('with headers: {body, headers}, names and values checked', async () => {
  const transform = compileTransform('{"body": {"n": n}, "headers": {"X-Order": $string(n), "x-flag": true}}');
  const out = await runTransform(transform, json({ n: 3 }), facts, { headers: true });
  assert.deepEqual(JSON.parse(out.data.toString()), { n: 3 });
  assert.deepEqual(out.headers, { 'x-order': '3', 'x-flag': 'true' });
  const bad: Array<[string, RegExp]> = [
    ['{"n": 1}', /must be an object \{"body"/],
    ['{"body": 1, "headers": {"webhook-signature": "x"}}', /"webhook-signature" is set by Eventyard/],
    ['{"body": 1, "headers": {"Content-Type": "text/plain"}}', /"Content-Type" is set by Eventyard/],
    ['{"body": 1, "headers": {"bad name": "x"}}', /not a valid HTTP header name/],
    ['{"body": 1, "headers": {"x-a": "a\\r\\nx-b: b"}}', /not allowed in an HTTP header value/],
    ['{"body": 1, "headers": {"x-a": {"o": 1}}}', /must be a string, number or boolean/],
    ['{"body": 1, "headers": [1]}', /headers must be an object/],
  ];
  for (const [expression, message] of bad) {
    await assert.rejects(
      runTransform(compileTransform(expression), json({}), facts, { headers: true }),
      fails('EY_TRANSFORM_OUTPUT_INVALID', message),
      expression,
    );
  }
});

test('failures are coded, not retriable, and name the cause', async () => {
  await assert.rejects(
    runTransform(compileTransform('a'), Buffer.from('not json'), facts),
    fails('EY_TRANSFORM_INPUT_NOT_JSON', /payload cannot be transformed: it is not JSON/),
  );
  await assert.rejects(runTransform(compileTransform('a'), Buffer.from([0x22, 0xff, 0x22]), facts), fails('EY_TRANSFORM_INPUT_NOT_JSON', /not valid UTF-8/));
  await assert.rejects(
    runTransform(compileTransform('$number(a)'), json({ a: 'x' }), facts),
    fails('EY_TRANSFORM_FAILED', /evaluation failed at position \d+: Unable to cast value to a number: "x" \(D3030\)/),
  );
  await assert.rejects(runTransform(compileTransform('missing'), json({ a: 1 }), facts), fails('EY_TRANSFORM_OUTPUT_INVALID', /produced no value/));
  await assert.rejects(runTransform(compileTransform('function($x){$x}'), json({}), facts), fails('EY_TRANSFORM_OUTPUT_INVALID', /function, not JSON/));
  await assert.rejects(runTransform(compileTransform('[1..1000000]'), json({}), facts), fails('EY_TRANSFORM_FAILED', /sequence length .*\(D2015\)/));
  const loop = compileTransform('($f := function($x){ $f($x + 1) }; $f(0))', 'transform', { timeoutMs: 50 });
  await assert.rejects(runTransform(loop, json({}), facts), fails('EY_TRANSFORM_TIMEOUT', /exceeded 50 ms/));
  const big = compileTransform('$pad("", 2000, "x")', 'transform', { maxOutputBytes: 1000 });
  await assert.rejects(runTransform(big, json({}), facts), fails('EY_TRANSFORM_OUTPUT_INVALID', /2002 bytes of JSON, over the limit of 1000/));
});

test('processor fields: transform compiled when saved, settings that suit the protocol', () => {
  const hook = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend' as const, addr: 'https://billing.example/hook' };
  const saved = normalizeProcessor({ ...hook, transform: '{"id": id}', transform_headers: true, webhook_format: 'cloudevents_binary' });
  assert.deepEqual([saved.transform, saved.transform_headers, saved.webhook_format], ['{"id": id}', true, 'cloudevents_binary']);
  assert.deepEqual([normalizeProcessor(hook).transform, normalizeProcessor(hook).webhook_format], [null, 'evhub']);
  assert.throws(() => normalizeProcessor({ ...hook, transform: '{"id": ' }), /transform: syntax error at position \d+/);
  assert.throws(
    () => normalizeProcessor({ ...hook, webhook_format: 'xml' as never }),
    /webhook_format must be one of evhub, cloudevents_binary, cloudevents_structured/,
  );
  const grpc = { ...hook, protocol_type: 'grpcSend' as const, addr: 'billing:9001' };
  assert.equal(normalizeProcessor({ ...grpc, transform: 'a' }).transform, 'a', 'gRPC Dispatch gets the transformed data too');
  assert.throws(() => normalizeProcessor({ ...grpc, webhook_format: 'cloudevents_structured' }), /webhook_format applies to httpSend processors only/);
  assert.throws(() => normalizeProcessor({ ...grpc, transform: 'a', transform_headers: true }), /transform_headers applies to httpSend/);
  assert.throws(() => normalizeProcessor({ ...hook, transform_headers: true }), /transform_headers needs a transform/);
});
