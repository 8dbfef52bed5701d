// A bad filter is refused when the processor is saved, with a ValidationError naming the path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError, ResultCode } from '@eventyard/core';
import { compileFilter, INVALID_FILTER } from '../../src/filter/index.ts';

/** Asserts compileFilter refuses `spec` with EY_INVALID_FILTER and exactly `message`. */
function refuses(spec: unknown, message: string | RegExp, limits?: Parameters<typeof compileFilter>[1]): void {
  assert.throws(
    () => compileFilter(spec, limits),
    (err: unknown) => {
      assert.ok(isEventyardError(err), 'an EventyardError');
      assert.equal(err.code, INVALID_FILTER);
      assert.equal(err.family, 'validation');
      assert.equal(err.resultCode, ResultCode.INVALID_PARAMETER);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

describe('filter validation', () => {
  test('the filter must be an object', () => {
    refuses([], 'filter: must be a JSON object, got array');
    refuses('{"a":1}', 'filter: must be a JSON object, got string');
    refuses(5, 'filter: must be a JSON object, got number');
  });

  test('unknown operator names the path and suggests the near one', () => {
    refuses({ $and: [{ a: 1 }, { amount: { $gtt: 5 } }] }, 'filter.$and[1].amount: unknown operator "$gtt" (did you mean "$gt"?)');
    refuses({ a: { $ne: 1 } }, 'filter.a: unknown operator "$ne" (did you mean "$neq"?)');
    refuses({ a: { $exists: true } }, 'filter.a: unknown operator "$exists" (did you mean "$exist"?)');
    refuses({ a: { $whatever: true } }, 'filter.a: unknown operator "$whatever"');
  });

  test('field operators are refused beside field names, logical ones inside a field', () => {
    refuses({ $gt: 5 }, 'filter: operator "$gt" must apply to a field: {"<field>": {"$gt": …}}');
    refuses({ $orr: [] }, 'filter: unknown operator "$orr" (did you mean "$or"?); only "$and" and "$or" may stand beside field names');
    refuses({ a: { $or: [{ b: 1 }] } }, 'filter.a: "$or" combines filter objects and cannot apply to a field: {"$or": [{"<field>": …}, …]}');
  });

  test('$in and $nin need arrays', () => {
    refuses({ s: { $in: 'a' } }, 'filter.s: "$in" expects an array, got string');
    refuses({ s: { $nin: { a: 1 } } }, 'filter.s: "$nin" expects an array, got object');
  });

  test('comparison operands must be numbers or strings', () => {
    refuses({ n: { $gt: null } }, 'filter.n: "$gt" expects a number or a string, got null');
    refuses({ n: { $lte: [1] } }, 'filter.n: "$lte" expects a number or a string, got array');
    refuses({ n: { $gte: true } }, 'filter.n: "$gte" expects a number or a string, got boolean');
    refuses({ n: { $lt: Number.POSITIVE_INFINITY } }, 'filter.n: "$lt" expects a number or a string, got number');
  });

  test('$exist needs a boolean', () => {
    refuses({ a: { $exist: 1 } }, 'filter.a: "$exist" expects true or false, got number');
  });

  test('$regex needs a valid, bounded RE2 pattern', () => {
    refuses({ s: { $regex: 5 } }, 'filter.s: "$regex" expects a string, got number');
    refuses({ s: { $regex: '(' } }, 'filter.s: "$regex" invalid pattern (RE2 syntax): missing closing ): `(`');
    refuses({ s: { $regex: 'a'.repeat(257) } }, 'filter.s: "$regex" pattern longer than 256 characters');
    refuses({ s: { $regex: '(x)\\1' } }, /^filter\.s: "\$regex" invalid pattern \(RE2 syntax\): invalid escape sequence/);
    refuses({ s: { $regex: '(?=x)' } }, /^filter\.s: "\$regex" invalid pattern \(RE2 syntax\): invalid or unsupported Perl syntax/);
    refuses({ s: { $regex: 'a', $options: 'g' } }, 'filter.s: "$regex" option "g" is not allowed (use i, m or s)');
    refuses({ s: { $options: 'i' } }, 'filter.s: "$options" is only allowed beside "$regex"');
    refuses({ s: { $regex: 'a', $options: 1 } }, 'filter.s: "$options" expects a string of flags, got number');
  });

  test('patterns that would backtrack catastrophically in V8 are accepted: RE2 matches them in linear time', () => {
    const filter = compileFilter({ s: { $regex: '\\s*\\s*\\s*x$' } });
    assert.equal(filter.matches({ s: `${' '.repeat(10_000)}y` }), false);
    assert.equal(filter.matches({ s: '   x' }), true);
  });

  test('$and / $or need non-empty arrays of non-empty objects', () => {
    refuses({ $and: {} }, 'filter.$and: "$and" expects a non-empty array of filter objects, got object');
    refuses({ $or: [] }, 'filter.$or: "$or" expects a non-empty array of filter objects, got array');
    refuses({ $or: [{ a: 1 }, 'b'] }, 'filter.$or[1]: must be a filter object, got string');
    refuses({ $and: [{}] }, /^filter\.\$and\[0\]: empty filter object/);
  });

  test('objects mixing operators and fields, and empty field objects, are refused', () => {
    refuses({ a: { $gt: 1, b: 2 } }, 'filter.a: mixes operators ("$gt") and field names ("b") in one object');
    refuses({ a: {} }, /^filter\.a: empty object: use \{"\$eq": \{\}\}/);
  });

  test('bad paths are refused', () => {
    refuses({ 'a..b': 1 }, /^filter\.a\.\.b: field path has an empty segment/);
    refuses({ '.a': 1 }, /empty segment/);
    refuses({ '': 1 }, /^filter\.: field path must not be empty/);
    refuses({ 'a.$gt': 1 }, /^filter\.a\.\$gt: field path segment "\$gt" starts with "\$"/);
    refuses({ ['x'.repeat(300)]: 1 }, /field path longer than 256 characters/);
  });

  test('nesting deeper than the limit is refused', () => {
    let spec: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 20; i++) spec = { $and: [spec] };
    refuses(spec, /nested deeper than 16 levels$/);
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) nested = { n: nested };
    refuses(nested, /nested deeper than 16 levels$/);
    refuses({ $and: [{ $and: [{ a: 1 }] }] }, 'filter.$and[0].$and[0]: nested deeper than 2 levels', { maxDepth: 2 });
    // Just inside the limit compiles.
    let ok: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 15; i++) ok = { $and: [ok] };
    assert.equal(compileFilter(ok).matches({ a: 1 }), true);
  });

  test('too many conditions or list entries are refused', () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}`, i]));
    refuses(many, 'filter: more than 4 conditions', { maxConditions: 4 });
    refuses({ s: { $in: [1, 2, 3] } }, 'filter.s: "$in" has more than 2 entries', { maxListLength: 2 });
  });

  test('operands must be JSON', () => {
    refuses({ a: { $eq: undefined } }, 'filter.a: "$eq" operand: undefined is not a JSON value');
    refuses({ a: { $in: [Number.NaN] } }, 'filter.a: "$in" operand: NaN is not a JSON number');
    refuses({ a: new Date(0) }, 'filter.a: "$eq" operand: not a JSON value');
  });

  test('the error carries the bad path as its field context', () => {
    try {
      compileFilter({ $or: [{ x: { $in: 1 } }] });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(isEventyardError(err));
      assert.equal(err.context['field'], 'filter.$or[0].x');
    }
  });
});
