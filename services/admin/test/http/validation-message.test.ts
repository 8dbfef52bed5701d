// Schema errors become one sentence naming the field as the caller wrote it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validationMessage } from '../../src/http/validation-message.ts';

test('each ajv keyword names the dotted field path', () => {
  assert.equal(validationMessage([{ instancePath: '/a', keyword: 'required', params: { missingProperty: 'b' } }]), 'a.b is required');
  assert.equal(validationMessage([{ instancePath: '', keyword: 'required', params: { missingProperty: 'top' } }]), 'top is required');
  assert.equal(validationMessage([{ instancePath: '/a', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }]), 'a.x is not a known field');
  assert.equal(validationMessage([{ instancePath: '/a/n', keyword: 'type', params: { type: 'integer' } }]), 'a.n must be an integer');
  assert.equal(validationMessage([{ instancePath: '/f', keyword: 'type', params: { type: ['object', 'null'] } }]), 'f must be an object');
  assert.equal(validationMessage([{ instancePath: '', keyword: 'type', params: { type: 'object' } }]), 'request body must be an object');
  assert.equal(validationMessage([{ instancePath: '/k~1v', keyword: 'enum', params: { allowedValues: ['a', 'b'] } }]), 'k/v must be one of "a", "b"');
  assert.equal(validationMessage([{ instancePath: '/n', keyword: 'minimum', message: 'must be >= 0' }]), 'n must be >= 0');
  assert.equal(
    validationMessage([{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'q' } }], 'querystring'),
    'q is not a known field',
  );
  assert.equal(validationMessage([], 'params'), 'invalid params');
});
