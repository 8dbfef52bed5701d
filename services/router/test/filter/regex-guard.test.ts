// The $regex guard: refuses backtracking bombs and backreferences, keeps ordinary patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGuardedRegex } from '../../src/filter/regex-guard.ts';

const SAFE = [
  '^ord-\\d+$',
  '(foo|bar)+',
  '^[a-z]+(-[a-z]+)?$',
  '\\p{L}+',
  '\\u{1F600}+',
  '(?:ab)+c*',
  '[(+*]+',
  'a{2,5}b{3}',
  '(?<year>\\d{4})-(?<month>\\d{2})',
  '(?=x)\\w+',
  'x+?y*?',
];

const REFUSED: Array<[string, RegExp]> = [
  ['(a+)+$', /nested quantifier/],
  ['(a*)*', /nested quantifier/],
  ['(\\w+\\s?)*$', /nested quantifier/],
  ['((ab)*c)+', /nested quantifier/],
  ['(.*a){20}', /nested quantifier/],
  ['(?:x+y)+', /nested quantifier/],
  ['(?<n>[a-z]+)*', /nested quantifier/],
  ['(x)\\1', /backreference/],
  ['(?<x>a)\\k<x>', /named backreference/],
];

test('ordinary patterns compile, with the u flag', () => {
  for (const pattern of SAFE) {
    const regex = compileGuardedRegex(pattern, '');
    assert.ok(regex instanceof RegExp, `${pattern}: ${String(regex)}`);
    assert.equal(regex.unicode, true);
  }
});

test('catastrophic shapes and backreferences are refused', () => {
  for (const [pattern, reason] of REFUSED) {
    const result = compileGuardedRegex(pattern, '');
    assert.equal(typeof result, 'string', pattern);
    assert.match(result as string, reason, pattern);
  }
});

test('a bounded optional group with an inner quantifier is allowed', () => {
  assert.ok(compileGuardedRegex('(-\\d+)?$', '') instanceof RegExp);
});

test('length limit and options are enforced', () => {
  assert.equal(compileGuardedRegex('a'.repeat(11), '', 10), 'pattern longer than 10 characters');
  assert.ok(compileGuardedRegex('a'.repeat(10), '', 10) instanceof RegExp);
  const flags = compileGuardedRegex('a', 'ims');
  assert.ok(flags instanceof RegExp && flags.flags === 'imsu');
  assert.equal(compileGuardedRegex('a', 'ii'), 'option "i" given twice');
  assert.equal(compileGuardedRegex('a', 'y'), 'option "y" is not allowed (use i, m or s)');
});

test('syntax errors come back as a message', () => {
  assert.match(compileGuardedRegex('[a-', '') as string, /^invalid pattern: /);
  assert.match(compileGuardedRegex('a{2', '') as string, /^invalid pattern: /);
});
