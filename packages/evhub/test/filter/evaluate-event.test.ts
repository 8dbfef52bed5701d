// evaluateEvent: tag filter first, JSON filter on data parsed at most once; non-JSON data never matches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, compileFilterTag, compileProcessorFilters, evaluateEvent, prepareEvent } from '../../src/filter/index.ts';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('evaluateEvent', () => {
  test('no filters: every event matches, the payload is never parsed', () => {
    const event = prepareEvent({ tags: [], data: Buffer.from('not json') });
    assert.deepEqual(evaluateEvent({}, event), { matched: true });
    assert.deepEqual(evaluateEvent(compileProcessorFilters({ filter_tag: {}, filter: {} }), event), { matched: true });
    assert.equal(event.parsed, false);
  });

  test('a tag miss is reported as reason tag, before the payload is looked at', () => {
    const filters = compileProcessorFilters({ filter_tag: { vip: true }, filter: { a: 1 } });
    const event = prepareEvent({ tags: ['other'], data: json({ a: 1 }) });
    assert.deepEqual(evaluateEvent(filters, event), { matched: false, reason: 'tag' });
    assert.equal(event.parsed, false);
  });

  test('a JSON filter miss is reported as reason filter', () => {
    const filters = compileProcessorFilters({ filter_tag: { vip: true }, filter: { a: 1 } });
    assert.deepEqual(evaluateEvent(filters, { tags: ['vip'], data: json({ a: 2 }) }), { matched: false, reason: 'filter' });
    assert.deepEqual(evaluateEvent(filters, { tags: ['vip'], data: json({ a: 1 }) }), { matched: true });
  });

  test('non-JSON data with a JSON filter set is a non-match, even for $exist: false', () => {
    const filters = { filter: compileFilter({ a: { $exist: false } }) };
    const bad = [Buffer.from('plain text'), Buffer.alloc(0), Buffer.from('{"a":'), Buffer.from([0x7b, 0xff, 0x7d])];
    for (const data of bad) assert.deepEqual(evaluateEvent(filters, { tags: [], data }), { matched: false, reason: 'filter' });
    assert.deepEqual(evaluateEvent(filters, { tags: [], data: json({}) }), { matched: true });
  });

  test('invalid UTF-8 inside a JSON string is refused rather than decoded with replacement characters', () => {
    const filters = { filter: compileFilter({ s: { $exist: true } }) };
    const data = Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xc3]), Buffer.from('"}')]);
    assert.deepEqual(evaluateEvent(filters, { tags: [], data }), { matched: false, reason: 'filter' });
  });

  test('a UTF-8 byte order mark is tolerated', () => {
    const filters = { filter: compileFilter({ a: 1 }) };
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json({ a: 1 })]);
    assert.deepEqual(evaluateEvent(filters, { tags: [], data }), { matched: true });
  });

  test('JSON scalars are valid payloads whose fields are all missing', () => {
    const filters = { filter: compileFilter({ a: { $exist: false } }) };
    assert.deepEqual(evaluateEvent(filters, { tags: [], data: Buffer.from('42') }), { matched: true });
  });

  test('a prepared event is parsed once for many processors', () => {
    const event = prepareEvent({ tags: ['t'], data: json({ n: 3 }) });
    let parses = 0;
    const original = JSON.parse;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parses++;
      return original(...args) as unknown;
    }) as typeof JSON.parse;
    try {
      const processors = [{ n: 3 }, { n: { $gt: 1 } }, { n: { $lt: 1 } }].map((filter) => compileProcessorFilters({ filter }));
      const decisions = processors.map((filters) => evaluateEvent(filters, event).matched);
      assert.deepEqual(decisions, [true, true, false]);
    } finally {
      JSON.parse = original;
    }
    assert.equal(parses, 1);
    assert.equal(prepareEvent(event), event, 'preparing a prepared event returns it');
  });

  test('filterTag and filter may be given separately or be null', () => {
    assert.deepEqual(evaluateEvent({ filterTag: compileFilterTag({ x: false }), filter: null }, { tags: ['x'], data: json({}) }), {
      matched: false,
      reason: 'tag',
    });
  });

  test('throughput (printed, not asserted)', (t) => {
    const filter = compileFilter({
      type: 'order',
      'order.amount': { $gte: 100 },
      $or: [{ 'user.country': { $in: ['NO', 'SE', 'DK'] } }, { 'items.sku': { $regex: '^PRO-' } }],
    });
    const payload = { type: 'order', order: { amount: 250 }, user: { country: 'DK' }, items: [{ sku: 'A-1' }, { sku: 'PRO-2' }] };
    const n = 200_000;
    let hits = 0;
    let started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (filter.matches(payload)) hits++;
    const matchNs = Number(process.hrtime.bigint() - started);
    assert.equal(hits, n);
    const data = json(payload);
    const filters = { filter };
    started = process.hrtime.bigint();
    for (let i = 0; i < n / 4; i++) evaluateEvent(filters, { tags: [], data });
    const evalNs = Number(process.hrtime.bigint() - started);
    t.diagnostic(`filter.matches: ${Math.round((n / matchNs) * 1e9).toLocaleString('en')} payloads/s (parsed)`);
    t.diagnostic(`evaluateEvent incl. UTF-8 decode + JSON.parse of ${data.length} bytes: ${Math.round((n / 4 / evalNs) * 1e9).toLocaleString('en')} events/s`);
  });
});
