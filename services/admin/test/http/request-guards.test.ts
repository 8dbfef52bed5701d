// Requests the routes never see, or that would reach Postgres with a NUL: each gets the admin's coded
// reply (found by the bad-input campaign, test/fuzz).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNul } from '../../src/http/request-guards.ts';
import { startAdmin, TEST_ADMIN_TOKEN } from '../fixture.ts';

test('a NUL anywhere in a request is a coded 400 naming where, not a Postgres 500', async (t) => {
  const { call } = await startAdmin(t);
  const body = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'a', topic_id: 'b\u0000c' } });
  assert.equal(body.status, 400);
  assert.equal(body.body.error, 'EY_INVALID_REQUEST');
  assert.match(body.body.ret.msg, /^body\.producer_conf_info\.topic_id: contains a NUL character/);
  assert.equal(body.body.ret.code, 10000);

  const param = await call('GET', '/v1/processor/a%00b');
  assert.equal(param.status, 400);
  assert.match(param.body.ret.msg, /^path\.dispatcher_id: contains a NUL/);

  const query = await call('GET', '/v1/processors?app_id=x%00');
  assert.equal(query.status, 400);
  assert.match(query.body.ret.msg, /^query\.app_id: contains a NUL/);

  // Still stored fine without the NUL.
  assert.equal((await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'a', topic_id: 'bc' } })).status, 200);
});

test('bad percent-encoding, an over-long parameter and oversized headers get coded replies', async (t) => {
  const { call, baseUrl } = await startAdmin(t);
  const badUrl = await call('GET', '/v1/processor/%F8%88%80%80%80');
  assert.equal(badUrl.status, 400);
  assert.deepEqual(badUrl.body, { ret: { code: 10000, msg: 'the URL is not valid percent-encoded UTF-8' }, error: 'EY_INVALID_REQUEST' });

  const longParam = await call('GET', `/v1/processor/${'x'.repeat(1000)}`);
  assert.equal(longParam.status, 414);
  assert.equal(longParam.body.error, 'EY_INVALID_REQUEST');

  const huge = await fetch(`${baseUrl}/v1/processors?app_id=${'y'.repeat(20_000)}`);
  assert.equal(huge.status, 431);
  assert.deepEqual(await huge.json(), {
    ret: { code: 10000, msg: 'request headers (or the URL) are larger than the server accepts' },
    error: 'EY_INVALID_REQUEST',
  });
});

test('findNul walks deep bodies without recursion', () => {
  let deep: unknown = 'a\u0000';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.match(findNul(deep, 'body') ?? '', /^body(\[0\]){200000}$/);
  assert.equal(findNul({ a: [{ b: 'ok' }], c: 1, d: null }, 'body'), undefined);
  assert.equal(findNul({ 'k\u0000': 1 }, 'body'), 'body (a key)');
});

test('a body nested deeper than the limit is a coded 400, not a stack overflow (500)', async (t) => {
  const { call, baseUrl } = await startAdmin(t);
  // Written as text: JSON.stringify itself overflows on such depth, as the routes' code did.
  const depth = 5000;
  const filter = '{"and":['.repeat(depth) + '{"eq":{"tag":"x"}}' + ']}'.repeat(depth);
  const res = await fetch(`${baseUrl}/v1/filters/test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: `{"filter":${filter},"event":{"app_id":"a","topic_id":"b"}}`,
  });
  const body = (await res.json()) as { error: string; ret: { msg: string } };
  assert.equal(res.status, 400);
  assert.equal(body.error, 'EY_INVALID_REQUEST');
  assert.match(body.ret.msg, /^body\.filter(\.and(\[0\])?)+: nested deeper than 64 levels$/);
  // A normal filter still works through the same route.
  const ok = await call('POST', '/v1/filters/test', { filter: { eq: { tag: 'x' } }, event: { app_id: 'a', topic_id: 'b' } });
  assert.notEqual(ok.status, 500);
});

test('content-type application/json with no body: accepted where the route takes no body, refused where it takes one', async (t) => {
  const { call, baseUrl } = await startAdmin(t);
  const send = (method: string, path: string) =>
    fetch(`${baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  assert.equal((await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'a', topic_id: 'gone' } })).status, 200);
  // Many clients put the JSON content type on every request: a DELETE with it and no body is a DELETE.
  const deleted = await send('DELETE', '/v1/producer/a/gone');
  assert.deepEqual(await deleted.json(), { ret: { code: 0, msg: 'success' } });
  assert.equal(deleted.status, 200);
  assert.equal((await call('GET', '/v1/producer/a/gone')).status, 404, 'it was deleted');
  // A route that expects a body still says it is missing, as before.
  const empty = await send('POST', '/v1/producer');
  assert.equal(empty.status, 400);
  assert.deepEqual(await empty.json(), { ret: { code: 10000, msg: 'request body is empty: expected a JSON object' }, error: 'EY_INVALID_JSON' });
  // A body that is there is still parsed (and poisoned ones refused) by fastify's own parser.
  const bad = await fetch(`${baseUrl}/v1/producer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: '{"a":',
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'EY_INVALID_JSON');
});
