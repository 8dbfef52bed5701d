// The one rule for stored text that the producer, router and scheduler share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnstorableText, storableText, unstorableTextProblem } from '../src/storable-text.ts';

test('NUL and unpaired surrogates are refused; other text, and bytes, are not', () => {
  assert.equal(unstorableTextProblem('plain ünïcode 😀'), null);
  assert.match(unstorableTextProblem('a\u0000b') ?? '', /NUL character \(U\+0000\)/);
  assert.match(unstorableTextProblem('a\ud800') ?? '', /unpaired UTF-16 surrogate/);
  assert.match(unstorableTextProblem('\udc00b') ?? '', /unpaired UTF-16 surrogate/);
});

test('findUnstorableText names the first bad field by its path, and skips bytes', () => {
  const request = {
    event: { app_id: 'shop', topic_id: 'order', data: Buffer.from([0, 0]), event_comm: { event_tag: { tag_list: ['ok', 'b\u0000d'] } } },
    option: { orderingKey: 'k' },
  };
  assert.deepEqual(findUnstorableText(request, ''), {
    field: 'event.event_comm.event_tag.tag_list[1]',
    problem: 'contains a NUL character (U+0000), which Postgres cannot store',
  });
  assert.equal(findUnstorableText({ event: { data: new Uint8Array([0]) }, trigger: null }, ''), null);
  assert.equal(findUnstorableText({ option: { orderingKey: 'k\u0000' } }, '')?.field, 'option.orderingKey');
  assert.equal(findUnstorableText({ m: { 'k\u0000': 'v' } }, 'x')?.field, 'x.m key');
});

test('storableText makes a rejected value storable, for the rejected row itself', () => {
  assert.equal(storableText('a\u0000b\ud800'), 'a\ufffdb\ufffd');
  assert.equal(unstorableTextProblem(storableText('a\u0000b\ud800')), null);
});
