// Semantics of the JSON payload filter: every operator and every documented edge case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter } from '../../src/filter/index.ts';

function matches(spec: unknown, payload: unknown): boolean {
  return compileFilter(spec).matches(payload);
}

describe('empty filters', () => {
  test('absent, null and {} match everything and say so', () => {
    for (const spec of [undefined, null, {}]) {
      const filter = compileFilter(spec);
      assert.equal(filter.isEmpty, true);
      assert.equal(filter.matches(undefined), true);
      assert.equal(filter.matches('not an object'), true);
    }
    assert.equal(compileFilter({ a: 1 }).isEmpty, false);
  });
});

describe('$eq and plain values', () => {
  test('a plain value means $eq', () => {
    assert.equal(matches({ a: 5 }, { a: 5 }), true);
    assert.equal(matches({ a: 5 }, { a: 6 }), false);
    assert.equal(matches({ a: { $eq: 5 } }, { a: 5 }), true);
  });
  test('no coercion: "5" does not equal 5, true does not equal 1, null does not equal 0', () => {
    assert.equal(matches({ a: 5 }, { a: '5' }), false);
    assert.equal(matches({ a: '5' }, { a: 5 }), false);
    assert.equal(matches({ a: true }, { a: 1 }), false);
    assert.equal(matches({ a: null }, { a: 0 }), false);
  });
  test('$eq null matches a present null but not a missing key', () => {
    assert.equal(matches({ a: null }, { a: null }), true);
    assert.equal(matches({ a: null }, {}), false);
  });
  test('a missing key is a non-match', () => {
    assert.equal(matches({ a: 5 }, { b: 5 }), false);
    assert.equal(matches({ 'a.b': 5 }, { a: 5 }), false);
  });
  test('scalar operand matches when any array element equals it', () => {
    assert.equal(matches({ tags: 'red' }, { tags: ['blue', 'red'] }), true);
    assert.equal(matches({ tags: 'red' }, { tags: ['blue'] }), false);
    assert.equal(matches({ tags: 'red' }, { tags: [] }), false);
  });
  test('array operand equals the whole array, in order', () => {
    assert.equal(matches({ a: [1, 2] }, { a: [1, 2] }), true);
    assert.equal(matches({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(matches({ a: [1, 2] }, { a: [[1, 2], [3]] }), true, 'or an element that is that array');
  });
  test('object operand under $eq compares structurally, key order ignored', () => {
    assert.equal(matches({ a: { $eq: { x: 1, y: [2] } } }, { a: { y: [2], x: 1 } }), true);
    assert.equal(matches({ a: { $eq: { x: 1 } } }, { a: { x: 1, y: 2 } }), false, 'extra keys differ');
    assert.equal(matches({ a: { $eq: {} } }, { a: {} }), true);
  });
});

describe('dotted paths and nested objects', () => {
  const payload = {
    user: { address: { city: 'Oslo', zip: '0150' }, name: 'Ada' },
    items: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 3 },
    ],
  };
  test('dotted path reaches nested fields', () => {
    assert.equal(matches({ 'user.address.city': 'Oslo' }, payload), true);
    assert.equal(matches({ 'user.address.city': 'Bergen' }, payload), false);
  });
  test('a nested object without operators is a partial match on sub-fields', () => {
    assert.equal(matches({ user: { address: { city: 'Oslo' } } }, payload), true);
    assert.equal(matches({ user: { address: { city: 'Oslo' }, name: 'Bob' } }, payload), false);
    assert.equal(matches({ user: { 'address.zip': { $regex: '^0' } } }, payload), true);
  });
  test('a path segment fans out over an array of objects', () => {
    assert.equal(matches({ 'items.sku': 'B' }, payload), true);
    assert.equal(matches({ 'items.qty': { $gt: 2 } }, payload), true);
    assert.equal(matches({ 'items.qty': { $gt: 5 } }, payload), false);
  });
  test('a numeric segment indexes an array', () => {
    assert.equal(matches({ 'items.1.sku': 'B' }, payload), true);
    assert.equal(matches({ 'items.0.sku': 'B' }, payload), false);
    assert.equal(matches({ 'items.5.sku': 'B' }, payload), false, 'out of range is missing');
  });
  test('a numeric segment on an object is a key', () => {
    assert.equal(matches({ 'codes.0': 'x' }, { codes: { 0: 'x' } }), true);
  });
  test('a scalar in the middle of the path is a non-match', () => {
    assert.equal(matches({ 'user.name.first': 'Ada' }, payload), false);
  });
  test('prototype keys are never reached', () => {
    assert.equal(matches({ constructor: { $exist: true } }, {}), false);
    assert.equal(matches({ 'a.toString': { $exist: true } }, { a: {} }), false);
    assert.equal(matches({ __proto__x: { $exist: false } }, {}), true);
  });
  test('a top-level array payload fans out too', () => {
    assert.equal(matches({ id: 2 }, [{ id: 1 }, { id: 2 }]), true);
  });
});

describe('$neq', () => {
  test('matches a present, different value; no coercion so "5" is not 5 and matches', () => {
    assert.equal(matches({ a: { $neq: 5 } }, { a: 6 }), true);
    assert.equal(matches({ a: { $neq: 5 } }, { a: 5 }), false);
    assert.equal(matches({ a: { $neq: 5 } }, { a: '5' }), true);
    assert.equal(matches({ a: { $neq: null } }, { a: null }), false);
  });
  test('a missing key is a non-match', () => {
    assert.equal(matches({ a: { $neq: 5 } }, {}), false);
  });
  test('on an array it means no element equals', () => {
    assert.equal(matches({ tags: { $neq: 'red' } }, { tags: ['blue', 'green'] }), true);
    assert.equal(matches({ tags: { $neq: 'red' } }, { tags: ['blue', 'red'] }), false);
    assert.equal(matches({ 'items.sku': { $neq: 'A' } }, { items: [{ sku: 'A' }, { sku: 'B' }] }), false);
  });
});

describe('$gt $gte $lt $lte', () => {
  test('numbers compare numerically', () => {
    assert.equal(matches({ n: { $gt: 5 } }, { n: 6 }), true);
    assert.equal(matches({ n: { $gt: 5 } }, { n: 5 }), false);
    assert.equal(matches({ n: { $gte: 5 } }, { n: 5 }), true);
    assert.equal(matches({ n: { $lt: 5 } }, { n: 4.5 }), true);
    assert.equal(matches({ n: { $lt: 5 } }, { n: 5 }), false);
    assert.equal(matches({ n: { $lte: 5 } }, { n: 5 }), true);
    assert.equal(matches({ n: { $lte: -1 } }, { n: -2 }), true);
  });
  test('strings compare by code units, so ISO timestamps order correctly', () => {
    assert.equal(matches({ at: { $gte: '2024-01-01T00:00:00Z' } }, { at: '2024-06-01T12:00:00Z' }), true);
    assert.equal(matches({ at: { $lt: '2024-01-01' } }, { at: '2025-01-01' }), false);
    assert.equal(matches({ s: { $gt: 'a' } }, { s: 'b' }), true);
  });
  test('type mismatch is a non-match in both directions', () => {
    assert.equal(matches({ n: { $gt: 5 } }, { n: '6' }), false);
    assert.equal(matches({ n: { $lt: '9' } }, { n: 1 }), false);
    assert.equal(matches({ n: { $gte: 0 } }, { n: null }), false);
    assert.equal(matches({ n: { $gte: 0 } }, { n: true }), false);
    assert.equal(matches({ n: { $gte: 0 } }, { n: { v: 1 } }), false);
  });
  test('missing key is a non-match', () => {
    assert.equal(matches({ n: { $lt: 5 } }, {}), false);
  });
  test('arrays match when any element does; operators in one object are tested separately', () => {
    assert.equal(matches({ n: { $gt: 10 } }, { n: [1, 20] }), true);
    assert.equal(matches({ n: { $gt: 10 } }, { n: [1, 2] }), false);
    assert.equal(matches({ n: { $gt: 1, $lt: 3 } }, { n: [0, 5] }), true);
    assert.equal(matches({ n: { $gt: 1, $lt: 3 } }, { n: 5 }), false);
    assert.equal(matches({ n: { $gt: 1, $lt: 3 } }, { n: 2 }), true);
  });
});

describe('$in and $nin', () => {
  test('$in matches a value equal to any listed one, without coercion', () => {
    assert.equal(matches({ s: { $in: ['a', 'b'] } }, { s: 'b' }), true);
    assert.equal(matches({ s: { $in: ['a', 'b'] } }, { s: 'c' }), false);
    assert.equal(matches({ n: { $in: [1, 2] } }, { n: '1' }), false);
    assert.equal(matches({ n: { $in: [null] } }, { n: null }), true);
    assert.equal(matches({ n: { $in: [] } }, { n: 1 }), false, 'an empty list matches nothing');
  });
  test('$in with object entries compares structurally', () => {
    assert.equal(matches({ p: { $in: [{ x: 1 }, [1, 2]] } }, { p: { x: 1 } }), true);
    assert.equal(matches({ p: { $in: [{ x: 1 }, [1, 2]] } }, { p: [1, 2] }), true);
    assert.equal(matches({ p: { $in: [{ x: 1 }, 'y'] } }, { p: 'y' }), true);
    assert.equal(matches({ p: { $in: [{ x: 1 }] } }, { p: { x: 2 } }), false);
  });
  test('$in on an array value matches when any element is listed', () => {
    assert.equal(matches({ tags: { $in: ['vip', 'beta'] } }, { tags: ['x', 'beta'] }), true);
    assert.equal(matches({ tags: { $in: ['vip'] } }, { tags: ['x'] }), false);
  });
  test('$in on a missing key is a non-match', () => {
    assert.equal(matches({ s: { $in: ['a'] } }, {}), false);
  });
  test('$nin matches a present value that is not listed; missing is a non-match', () => {
    assert.equal(matches({ s: { $nin: ['a', 'b'] } }, { s: 'c' }), true);
    assert.equal(matches({ s: { $nin: ['a', 'b'] } }, { s: 'a' }), false);
    assert.equal(matches({ s: { $nin: ['a'] } }, {}), false);
    assert.equal(matches({ n: { $nin: [1] } }, { n: '1' }), true, 'no coercion');
    assert.equal(matches({ n: { $nin: [] } }, { n: 1 }), true);
  });
  test('$nin on an array value means no element is listed', () => {
    assert.equal(matches({ tags: { $nin: ['spam'] } }, { tags: ['a', 'b'] }), true);
    assert.equal(matches({ tags: { $nin: ['spam'] } }, { tags: ['a', 'spam'] }), false);
  });
});

describe('$exist', () => {
  test('true matches any present value, null and empty values included', () => {
    for (const value of [null, 0, '', false, [], {}]) assert.equal(matches({ a: { $exist: true } }, { a: value }), true);
    assert.equal(matches({ a: { $exist: true } }, {}), false);
  });
  test('false matches only a missing key (the one operator a missing key satisfies)', () => {
    assert.equal(matches({ a: { $exist: false } }, {}), true);
    assert.equal(matches({ a: { $exist: false } }, { a: null }), false);
    assert.equal(matches({ 'a.b': { $exist: false } }, { a: 'scalar' }), true);
  });
  test('through arrays: present when any element has the field', () => {
    assert.equal(matches({ 'items.sku': { $exist: true } }, { items: [{}, { sku: 'x' }] }), true);
    assert.equal(matches({ 'items.sku': { $exist: false } }, { items: [{}, {}] }), true);
  });
  test('when the payload is not an object, every field is missing', () => {
    assert.equal(matches({ a: { $exist: false } }, 42), true);
    assert.equal(matches({ a: { $exist: true } }, 'text'), false);
  });
});

describe('$regex', () => {
  test('matches strings; other types are a non-match', () => {
    assert.equal(matches({ id: { $regex: '^ord-\\d+$' } }, { id: 'ord-42' }), true);
    assert.equal(matches({ id: { $regex: '^ord-\\d+$' } }, { id: 'ord-x' }), false);
    assert.equal(matches({ id: { $regex: '^4' } }, { id: 42 }), false);
    assert.equal(matches({ id: { $regex: '.' } }, {}), false);
  });
  test('is case-sensitive unless $options has i', () => {
    assert.equal(matches({ s: { $regex: '^abc' } }, { s: 'ABC' }), false);
    assert.equal(matches({ s: { $regex: '^abc', $options: 'i' } }, { s: 'ABC' }), true);
  });
  test('RE2 syntax, code-point based: property escapes and inline flags work', () => {
    assert.equal(matches({ s: { $regex: '(?i)^abc' } }, { s: 'ABC' }), true);
    assert.equal(matches({ s: { $regex: '^.$' } }, { s: '😀' }), true);
    assert.equal(matches({ s: { $regex: '^\\p{Lu}' } }, { s: 'Ørsted' }), true);
  });
  test('keeps no state between payloads', () => {
    const filter = compileFilter({ s: { $regex: 'a' } });
    for (let i = 0; i < 3; i++) assert.equal(filter.matches({ s: 'a' }), true);
  });
  test('on an array matches when any element matches', () => {
    assert.equal(matches({ tags: { $regex: '^beta-' } }, { tags: ['x', 'beta-2'] }), true);
  });
});

describe('$and, $or and implicit AND', () => {
  test('several keys in one object must all hold', () => {
    assert.equal(matches({ a: 1, b: 2 }, { a: 1, b: 2 }), true);
    assert.equal(matches({ a: 1, b: 2 }, { a: 1, b: 3 }), false);
  });
  test('$and needs every entry, $or any entry', () => {
    assert.equal(matches({ $and: [{ a: 1 }, { b: 2 }] }, { a: 1, b: 2 }), true);
    assert.equal(matches({ $and: [{ a: 1 }, { b: 2 }] }, { a: 1 }), false);
    assert.equal(matches({ $or: [{ a: 1 }, { b: 2 }] }, { b: 2 }), true);
    assert.equal(matches({ $or: [{ a: 1 }, { b: 2 }] }, { c: 3 }), false);
  });
  test('nests, and combines with fields beside it', () => {
    const spec = {
      type: 'order',
      $or: [{ 'order.amount': { $gte: 1000 } }, { $and: [{ 'user.tier': 'gold' }, { $or: [{ country: { $in: ['NO', 'SE'] } }, { vip: true }] }] }],
    };
    assert.equal(matches(spec, { type: 'order', order: { amount: 5000 } }), true);
    assert.equal(matches(spec, { type: 'order', order: { amount: 5 }, user: { tier: 'gold' }, country: 'SE' }), true);
    assert.equal(matches(spec, { type: 'order', order: { amount: 5 }, user: { tier: 'gold' }, country: 'DK' }), false);
    assert.equal(matches(spec, { type: 'order', order: { amount: 5 }, user: { tier: 'gold' }, vip: true }), true);
    assert.equal(matches(spec, { type: 'refund', order: { amount: 5000 } }), false);
  });
});
