// $regex patterns run on RE2 (linear time): pathological patterns compile and stay fast, RE2 syntax
// rules apply, and options / length are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { compileSafeRegex, type SafeRegex } from '../../src/filter/safe-regex.ts';

function compiled(pattern: string, options = ''): SafeRegex {
  const regex = compileSafeRegex(pattern, options);
  assert.notEqual(typeof regex, 'string', `${pattern}: ${String(regex)}`);
  return regex as SafeRegex;
}

test('ordinary patterns match as expected', () => {
  assert.equal(compiled('^ord-\\d+$').test('ord-42'), true);
  assert.equal(compiled('^ord-\\d+$').test('ord-x'), false);
  assert.equal(compiled('(foo|bar)+').test('xxbarfoo'), true);
  assert.equal(compiled('^[a-z]+(-[a-z]+)*$').test('kebab-case-name'), true);
  assert.equal(compiled('^\\p{Lu}').test('Ørsted'), true);
  assert.equal(compiled('^.$').test('😀'), true, 'code points, like the u flag');
  assert.equal(compiled('(?i)^abc').test('ABCd'), true, 'inline flags');
});

test('patterns that make a backtracking engine explode are accepted and run in linear time', (t) => {
  // In V8 the last of these took 99 s on a 1 KiB input; here each input is 20x longer.
  const cases: Array<[string, string]> = [
    ['(a+)+$', `${'a'.repeat(20_000)}!`],
    ['.*a.*b', 'a'.repeat(20_000)],
    ['\\s*\\s*\\s*x$', `${' '.repeat(20_000)}y`],
    ['(a|a)*c', 'a'.repeat(20_000)],
  ];
  for (const [pattern, input] of cases) {
    const started = performance.now();
    assert.equal(compiled(pattern).test(input), false);
    t.diagnostic(`${pattern} on ${input.length} chars: ${(performance.now() - started).toFixed(2)} ms`);
  }
});

test('backreferences and lookarounds are refused (RE2 syntax)', () => {
  for (const pattern of ['(x)\\1', '(?=a)b', '(?!a)b', '(?<=a)b']) {
    const result = compileSafeRegex(pattern, '');
    assert.equal(typeof result, 'string', pattern);
    assert.match(result as string, /^invalid pattern \(RE2 syntax\): /, pattern);
  }
});

test('syntax errors come back as a message', () => {
  assert.match(compileSafeRegex('(', '') as string, /^invalid pattern \(RE2 syntax\): missing closing \)/);
  assert.match(compileSafeRegex('[a-', '') as string, /^invalid pattern/);
  assert.match(compileSafeRegex('a{2,1001}', '') as string, /invalid repeat count/);
});

test('options i, m, s map to RE2 flags; others are refused', () => {
  assert.equal(compiled('abc', 'i').test('xABC'), true);
  assert.equal(compiled('abc').test('xABC'), false);
  assert.equal(compiled('^b', 'm').test('a\nb'), true);
  assert.equal(compiled('^b').test('a\nb'), false);
  assert.equal(compiled('a.b', 's').test('a\nb'), true);
  assert.equal(compiled('a.b').test('a\nb'), false);
  assert.equal(compileSafeRegex('a', 'ii'), 'option "i" given twice');
  assert.equal(compileSafeRegex('a', 'g'), 'option "g" is not allowed (use i, m or s)');
});

test('length limit', () => {
  assert.equal(compileSafeRegex('a'.repeat(11), '', 10), 'pattern longer than 10 characters');
  assert.notEqual(typeof compileSafeRegex('a'.repeat(10), '', 10), 'string');
});

test('re2js is loaded by the first pattern compiled, not by importing the package', async () => {
  // A fresh process: this one has compiled patterns already.
  const evhub = new URL('../../src/index.ts', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/re2js/'));
    const { compileFilter } = await import(${JSON.stringify(evhub)});
    const before = loaded();
    compileFilter({ 'data.order': { $regex: '^ord-' } });
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), { before: false, after: true });
});
