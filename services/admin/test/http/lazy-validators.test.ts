// The admin's route validators are compiled on a route's first request, by fastify's own compiler, and
// answer exactly as the compiler fastify would have used at start-up.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';
import { lazyValidators } from '../../src/http/lazy-validators.ts';
import { offlineAdminServer } from '../fixture.ts';

const require = createRequire(import.meta.url);
const AJV_COMPILER = require.resolve('@fastify/ajv-compiler');
const AJV_OPTIONS = { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false } };

test('no validator is compiled until a route is called; then the request is validated as before', async (t) => {
  const validators = lazyValidators();
  const server = offlineAdminServer(t, { validators });
  await server.ready();
  assert.equal(Object.hasOwn(require.cache, AJV_COMPILER), false, 'the compiler is loaded before any request');

  const bad = await server.inject({ method: 'POST', url: '/v1/processor', payload: { processor_conf_info: { dispatcher_id: 5 } } });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.equal(bad.json().ret.msg, 'processor_conf_info.app_id is required');
  assert.equal(Object.hasOwn(require.cache, AJV_COMPILER), true);
  const unknown = await server.inject({ method: 'GET', url: '/v1/processors?nope=1' });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.match(unknown.json().ret.msg, /nope is not a known field/);

  // What start-up used to check: every route's schema compiles.
  assert.ok(validators.compileAll() >= 20, 'fewer validators than routes with schemas');
});

test('a lazy validator returns what the eager one returns, errors included', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, n: { type: 'integer', minimum: 0 } },
  };
  const route = { schema, method: 'POST', url: '/x', httpPart: 'body' };
  const eager = (require('@fastify/ajv-compiler') as () => BuildCompilerFromPool)()({}, AJV_OPTIONS)(route);
  const lazy = lazyValidators().buildValidator({}, AJV_OPTIONS)(route);
  for (const data of [{ name: 'a' }, { name: '' }, { n: 1 }, { name: 'a', n: -1 }, { name: 'a', extra: true }, { name: 'a', n: '5' }, null, 'text']) {
    assert.equal(lazy(data), eager(data), JSON.stringify(data));
    assert.deepEqual(lazy.errors, eager.errors, JSON.stringify(data));
  }
});
