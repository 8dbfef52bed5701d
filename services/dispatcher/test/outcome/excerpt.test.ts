// UTF-8-safe excerpts: never more than the limit, never half a character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Excerpt } from '../../src/outcome/index.ts';

test('short bodies are returned whole', () => {
  assert.equal(utf8Excerpt(Buffer.from('hello')), 'hello');
  assert.equal(utf8Excerpt('hello'), 'hello');
});

test('cuts before a multi-byte character that would cross the limit', () => {
  // 'a' + 4-byte emoji: a 3-byte limit must drop the emoji entirely.
  assert.equal(utf8Excerpt(Buffer.from('a😀'), 3), 'a');
  assert.equal(utf8Excerpt(Buffer.from('a😀'), 5), 'a😀');
  for (let limit = 1; limit <= 12; limit++) {
    const text = utf8Excerpt('éa😀€b', limit);
    assert.ok(Buffer.byteLength(text) <= limit, `limit ${limit}`);
    assert.ok(!text.includes('\uFFFD'), `limit ${limit}: no replacement character`);
    assert.ok('éa😀€b'.startsWith(text), `limit ${limit}: a prefix`);
  }
});

test('the default limit is 1 KiB', () => {
  const text = utf8Excerpt(Buffer.from('x'.repeat(5000)));
  assert.equal(text.length, 1024);
});

test('invalid UTF-8 is replaced, not thrown', () => {
  assert.equal(utf8Excerpt(Buffer.from([0x61, 0xff, 0x62])), 'a\uFFFDb');
  // Each bad byte becomes a 3-byte U+FFFD: the limit holds for the text written, not the bytes read.
  const continuation = Buffer.alloc(20, 0x80);
  assert.equal(utf8Excerpt(continuation, 10), '\uFFFD'.repeat(3));
});

test('NUL and lone surrogates, which Postgres text columns refuse, are replaced too', () => {
  assert.equal(utf8Excerpt(Buffer.from([0x61, 0x00, 0x62])), 'a\uFFFDb');
  assert.equal(utf8Excerpt('a\u0000b\uD800c\uDC00'), 'a\uFFFDb\uFFFDc\uFFFD');
  const capped = utf8Excerpt(Buffer.alloc(2000, 0), 1024);
  assert.equal(capped, '\uFFFD'.repeat(341));
});
