// filter_tag semantics: {} = no filter, true = wanted, false = unwanted (exclusion wins).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { compileFilterTag, INVALID_FILTER_TAG } from '../../src/filter/index.ts';

describe('filter_tag', () => {
  test('absent, null or {} is no filter: every event passes, untagged included', () => {
    for (const raw of [undefined, null, {}]) {
      const filter = compileFilterTag(raw);
      assert.equal(filter.isEmpty, true);
      assert.equal(filter.matches([]), true);
      assert.equal(filter.matches(['x']), true);
    }
  });

  test('tags mapped to true: the event must carry at least one of them', () => {
    const filter = compileFilterTag({ vip: true, beta: true });
    assert.equal(filter.matches(['vip']), true);
    assert.equal(filter.matches(['other', 'beta']), true);
    assert.equal(filter.matches(['other']), false);
    assert.equal(filter.matches([]), false, 'an untagged event does not carry a wanted tag');
  });

  test('tags mapped to false exclude: an event carrying one never passes, even with a wanted tag', () => {
    const filter = compileFilterTag({ vip: true, test: false });
    assert.equal(filter.matches(['vip']), true);
    assert.equal(filter.matches(['vip', 'test']), false);
    assert.equal(filter.matches(['test']), false);
  });

  test('only false tags: everything passes except events carrying an excluded tag', () => {
    const filter = compileFilterTag({ test: false, internal: false });
    assert.equal(filter.matches([]), true);
    assert.equal(filter.matches(['vip']), true);
    assert.equal(filter.matches(['vip', 'internal']), false);
  });

  test('tags compare exactly, case-sensitive', () => {
    const filter = compileFilterTag({ VIP: true });
    assert.equal(filter.matches(['vip']), false);
    assert.equal(filter.matches(['VIP']), true);
  });

  test('bad maps are refused with the entry named', () => {
    const cases: Array<[unknown, string]> = [
      [['vip'], 'filter_tag: must be an object mapping tag to true/false, got array'],
      ['vip', 'filter_tag: must be an object mapping tag to true/false, got string'],
      [{ vip: 'yes' }, 'filter_tag.vip: must be true or false, got string'],
      [{ vip: 1 }, 'filter_tag.vip: must be true or false, got number'],
      [{ '': true }, 'filter_tag: tag names must not be empty'],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => compileFilterTag(raw),
        (err: unknown) => isEventyardError(err) && err.code === INVALID_FILTER_TAG && err.message === message,
        message,
      );
    }
    const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`t${i}`, true]));
    assert.throws(() => compileFilterTag(tooMany), /more than 1000 tags/);
  });
});
