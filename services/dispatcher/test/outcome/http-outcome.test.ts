// HTTP webhook outcomes: 2xx bodies, retriable and non-retriable statuses, Retry-After, excerpts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreErrors, EventyardError } from '@eventyard/core';
import { classifyHttpError, classifyHttpResponse } from '../../src/outcome/index.ts';

const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('classifyHttpResponse: 2xx', () => {
  test('2xx with an empty body is success', () => {
    for (const status of [200, 201, 204]) {
      assert.deepEqual(classifyHttpResponse({ status, body: Buffer.alloc(0) }), { outcome: 'success', retriable: false, responseStatus: status });
    }
    assert.deepEqual(classifyHttpResponse({ status: 200 }), { outcome: 'success', retriable: false, responseStatus: 200 });
  });

  test('2xx with a non-JSON body is success, with the excerpt recorded', () => {
    assert.deepEqual(classifyHttpResponse({ status: 200, body: 'OK' }), { outcome: 'success', retriable: false, responseStatus: 200, responseExcerpt: 'OK' });
    assert.equal(classifyHttpResponse({ status: 200, body: '{not json' }).outcome, 'success');
    assert.equal(classifyHttpResponse({ status: 200, body: '[1,2]' }).outcome, 'success');
  });

  test('2xx with JSON ret.code 0 or absent is success, pass_back read from base64', () => {
    const passBack = Buffer.from('state-1');
    const outcome = classifyHttpResponse({ status: 200, body: body({ ret: { code: 0 }, pass_back: passBack.toString('base64') }) });
    assert.equal(outcome.outcome, 'success');
    assert.deepEqual(outcome.passBack, passBack);
    assert.equal(classifyHttpResponse({ status: 200, body: body({ ret: {} }) }).outcome, 'success');
    assert.equal(classifyHttpResponse({ status: 200, body: body({ hello: 'world' }) }).outcome, 'success');
    assert.equal(classifyHttpResponse({ status: 200, body: body({ ret: 'ok' }) }).outcome, 'success');
  });

  test('2xx with JSON ret.code 30000 is cancel (EvHub ignored it over HTTP)', () => {
    assert.deepEqual(classifyHttpResponse({ status: 200, body: body({ ret: { code: 30000, msg: 'enough' } }) }), {
      outcome: 'cancel',
      retriable: false,
      errorCode: 30000,
      errorMessage: 'enough',
      responseStatus: 200,
      responseExcerpt: '{"ret":{"code":30000,"msg":"enough"}}',
    });
  });

  test('2xx with another JSON ret.code is a retriable failure; proto3 JSON (string int32, passBack) works', () => {
    const outcome = classifyHttpResponse({ status: 200, body: body({ ret: { code: '500', msg: 'busy' }, passBack: Buffer.from([9]).toString('base64') }) });
    assert.equal(outcome.outcome, 'failure');
    assert.equal(outcome.retriable, true);
    assert.equal(outcome.errorCode, 500);
    assert.equal(outcome.errorMessage, 'busy');
    assert.deepEqual(outcome.passBack, Buffer.from([9]));
  });

  test('a 2xx failure body honours Retry-After', () => {
    const outcome = classifyHttpResponse({ status: 200, headers: { 'retry-after': '7' }, body: body({ ret: { code: 1 } }) });
    assert.equal(outcome.retryAfterMs, 7000);
  });
});

describe('classifyHttpResponse: non-2xx', () => {
  test('408, 429 and 5xx are retriable failures', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      const outcome = classifyHttpResponse({ status, body: 'nope' });
      assert.equal(outcome.outcome, 'failure', String(status));
      assert.equal(outcome.retriable, true, String(status));
      assert.equal(outcome.errorCode, `http:${status}`);
      assert.equal(outcome.errorMessage, `HTTP ${status}`);
      assert.equal(outcome.responseStatus, status);
      assert.equal(outcome.responseExcerpt, 'nope');
    }
  });

  test('other 4xx are not retried unless retry_on_4xx is set', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422]) {
      assert.equal(classifyHttpResponse({ status }).retriable, false, String(status));
      assert.equal(classifyHttpResponse({ status }, { retryOn4xx: true }).retriable, true, String(status));
    }
  });

  test('3xx is a failure that is not retried (redirects are not followed)', () => {
    const outcome = classifyHttpResponse({ status: 301, headers: { location: 'https://elsewhere' } }, { retryOn4xx: true });
    assert.equal(outcome.outcome, 'failure');
    assert.equal(outcome.retriable, false);
  });

  test('a non-2xx status decides even when the body carries ret.code 0, whose msg and pass_back are kept', () => {
    const outcome = classifyHttpResponse({ status: 503, body: body({ ret: { code: 0, msg: 'draining' }, pass_back: 'AQI=' }) });
    assert.equal(outcome.outcome, 'failure');
    assert.equal(outcome.errorMessage, 'draining');
    assert.deepEqual(outcome.passBack, Buffer.from([1, 2]));
  });

  test('Retry-After in seconds or as an HTTP date, from a record or a Headers object', () => {
    const nowMs = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(classifyHttpResponse({ status: 429, headers: { 'retry-after': '120' } }, { nowMs }).retryAfterMs, 120_000);
    assert.equal(classifyHttpResponse({ status: 503, headers: { 'Retry-After': 'Wed, 01 Jan 2025 00:00:30 GMT' } }, { nowMs }).retryAfterMs, 30_000);
    assert.equal(classifyHttpResponse({ status: 503, headers: new Headers({ 'Retry-After': '5' }) }, { nowMs }).retryAfterMs, 5000);
    assert.equal(classifyHttpResponse({ status: 503, headers: { 'retry-after': ['3', '9'] } }, { nowMs }).retryAfterMs, 3000);
    assert.equal(classifyHttpResponse({ status: 503, headers: { 'retry-after': 'soon' } }, { nowMs }).retryAfterMs, undefined);
    assert.equal(classifyHttpResponse({ status: 503 }, { nowMs }).retryAfterMs, undefined);
    assert.equal(classifyHttpResponse({ status: 200, headers: { 'retry-after': '5' } }, { nowMs }).retryAfterMs, undefined, 'not on success');
  });

  test('the response excerpt is the first 1 KiB, cut on a character boundary', () => {
    const outcome = classifyHttpResponse({ status: 500, body: Buffer.from('€'.repeat(1000)) });
    const excerpt = outcome.responseExcerpt ?? '';
    assert.equal(excerpt, '€'.repeat(341));
    assert.ok(Buffer.byteLength(excerpt) <= 1024);
  });

  test('oversize bodies are not parsed for ret', () => {
    const big = body({ ret: { code: 30000 }, pad: 'x'.repeat(100) });
    assert.equal(classifyHttpResponse({ status: 200, body: big }, { maxJsonBytes: 50 }).outcome, 'success');
    assert.equal(classifyHttpResponse({ status: 200, body: big }).outcome, 'cancel');
  });
});

describe('classifyHttpError', () => {
  test('timeouts are retriable failures recorded as timeout', () => {
    const headers = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    const aborted = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    for (const err of [headers, aborted, Object.assign(new Error('x'), { code: 'ETIMEDOUT' })]) {
      const outcome = classifyHttpError(err);
      assert.equal(outcome.errorCode, 'timeout');
      assert.equal(outcome.retriable, true);
    }
    assert.equal(classifyHttpError(new Error('aborted'), { timedOut: true }).errorCode, 'timeout');
  });

  test('transport errors are retriable, the errno read from the error or its cause', () => {
    const direct = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classifyHttpError(direct), {
      outcome: 'failure',
      retriable: true,
      errorCode: 'transport:ECONNREFUSED',
      errorMessage: 'connect ECONNREFUSED 127.0.0.1:9',
    });
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) });
    assert.equal(classifyHttpError(wrapped).errorCode, 'transport:ENOTFOUND');
    assert.equal(classifyHttpError(new Error('socket hang up')).errorCode, 'transport');
  });

  test('an EventyardError keeps its own code and retriable flag', () => {
    const outcome = classifyHttpError(new EventyardError(CoreErrors.EY_EGRESS_REFUSED, 'private address'));
    assert.deepEqual(outcome, { outcome: 'failure', retriable: false, errorCode: 'EY_EGRESS_REFUSED', errorMessage: 'private address' });
  });
});
