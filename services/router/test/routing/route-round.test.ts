// routeRound keeps records in ingest order, rejects what cannot be routed to the dead-letter topic (with
// a `rejected` history row when an event id can be read), and gives one row per event and per
// (event, processor) even when ingest holds the same event twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import type { ProcessorRecord } from '@eventyard/db';
import { encodeMessage, type IngestEnvelope } from '@eventyard/proto';
import { ProcessorIndex } from '../../src/config-cache/processor-index.ts';
import { mergeRounds, routeRound } from '../../src/routing/route-round.ts';

const index = ProcessorIndex.build([
  {
    dispatcher_id: 'a',
    app_id: 'shop',
    topic_id: 'order',
    is_stop: false,
    paused: false,
    filter_tag: {},
    filter: null,
    delay_process_key: '',
    version: 1,
  } as unknown as ProcessorRecord,
]);
let offset = 0;
const message = (e: IngestEnvelope | Buffer) => ({
  offset: String(offset++),
  key: null,
  value: Buffer.isBuffer(e) ? e : encodeMessage('eventyard.v1.IngestEnvelope', e),
});
const event = (id: string, topic = 'order'): IngestEnvelope => ({ event_id: id, event: { app_id: 'shop', topic_id: topic, data: Buffer.from(id) } });

test('duplicates produce again but write one row each; garbage is dead-lettered in its place with its offset', () => {
  const messages = [message(event('1')), message(Buffer.from('junk')), message(event('2', 'other')), message(event('1'))];
  const round = routeRound(messages, index, Date.now(), { partition: 4 });
  assert.deepEqual(
    round.records.map((r) => [r.topic, r.headers['ey-event-id']]),
    [
      [Topics.deliveries('a'), '1'],
      [Topics.dead, undefined],
      [Topics.deliveries('a'), '1'],
    ],
    'at-least-once: a duplicate is produced again',
  );
  const dead = round.records[1];
  assert.equal(dead?.value.toString(), 'junk', 'the record as read');
  assert.equal(dead?.headers['ey-error-code'], 'EY_INGEST_RECORD_INVALID');
  assert.equal(dead?.headers['eventyard-source-topic'], Topics.ingest);
  assert.equal(dead?.headers['eventyard-source-partition'], '4');
  assert.equal(dead?.headers['eventyard-source-offset'], messages[1]?.offset);
  assert.ok((dead?.headers['eventyard-reason'] ?? '').length > 0);
  assert.deepEqual(
    round.events.map((e) => [e.event_id, e.status]),
    [
      ['2', 'no_subscribers'],
      ['1', 'routed'],
    ],
  );
  assert.deepEqual(
    round.deliveries.map((d) => [d.event_id, d.dispatcher_id]),
    [['1', 'a']],
  );
  assert.equal(round.routed.length, 3);
  assert.deepEqual(
    round.rejected.map((r) => [r.offset, r.reason, r.eventId]),
    [[messages[1]?.offset, 'not_protobuf', null]],
    'no id anyone was given: the dead letter only',
  );
});

test('text Postgres cannot store: dead letter and a rejected row naming the field, under the envelope id', () => {
  const bad: IngestEnvelope = {
    event_id: '7',
    event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('x'), event_comm: { event_tag: { tag_list: ['ok', 'b\u0000d'] } } },
  };
  const round = routeRound([message(bad)], index, Date.now());
  assert.deepEqual(
    round.records.map((r) => [r.topic, r.headers['ey-event-id']]),
    [[Topics.dead, '7']],
  );
  assert.equal(round.deliveries.length, 0);
  assert.equal(round.events.length, 1);
  assert.equal(round.events[0]?.status, 'rejected');
  assert.equal(round.events[0]?.status_reason, 'event.event_comm.event_tag.tag_list[1] contains a NUL character (U+0000), which Postgres cannot store');
  assert.equal(round.events[0]?.payload?.toString(), 'x', 'the payload is kept for inspection');
  assert.equal(round.records[0]?.headers['eventyard-reason'], round.events[0]?.status_reason);
});

test('an unreadable envelope id falls back to the ey-event-id header for the rejected row', () => {
  const bad = { ...message({ event_id: 'abc', event: { app_id: 'shop', topic_id: 'order' } }), headers: { 'ey-event-id': Buffer.from('99') } };
  const round = routeRound([bad], index, Date.now());
  assert.deepEqual(
    round.events.map((e) => [e.event_id, e.status, e.app_id]),
    [['99', 'rejected', 'shop']],
  );
  assert.equal(round.rejected[0]?.reason, 'bad_event_id');
});

test('an event whose delivery record is over the byte limit is rejected whole: no task, a rejected row, a dead letter without the value', () => {
  const big: IngestEnvelope = { event_id: '8', event: { app_id: 'shop', topic_id: 'order', data: Buffer.alloc(40_000, 1) } };
  const round = routeRound([message(big), message(event('9'))], index, Date.now(), { maxRecordBytes: 32 * 1024 });
  assert.deepEqual(
    round.records.map((r) => [r.topic, r.headers['ey-event-id']]),
    [
      [Topics.dead, '8'],
      [Topics.deliveries('a'), '9'],
    ],
  );
  const dead = round.records[0];
  assert.equal(dead?.headers['ey-error-code'], 'EY_RECORD_TOO_LARGE');
  assert.equal(dead?.value.length, 0, 'too large for any topic: key and headers only');
  assert.ok(Number(dead?.headers['eventyard-dropped-value-bytes']) > 40_000);
  assert.deepEqual(
    round.events.map((e) => [e.event_id, e.status]),
    [
      ['8', 'rejected'],
      ['9', 'routed'],
    ],
  );
  assert.match(round.events[0]?.status_reason ?? '', /over the limit of 32768 bytes \(EY_KAFKA_MAX_BATCH_BYTES\)/);
  assert.deepEqual(
    round.deliveries.map((d) => d.event_id),
    ['9'],
  );
});

test("the trace: the record's traceparent header is the parent, the envelope's copy for records without one; its id goes in the row", () => {
  const header = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const copy = '00-11111111111111111111111111111111-2222222222222222-01';
  const withHeader = { ...message({ ...event('11'), trace_parent: copy }), headers: { traceparent: Buffer.from(header) } };
  const withCopy = message({ ...event('12'), trace_parent: copy });
  const none = message(event('13'));
  const round = routeRound([withHeader, withCopy, none], index, Date.now());
  assert.deepEqual(
    round.records.map((r) => r.headers.traceparent),
    [header, copy, undefined],
    'no exporter here: the context passes through unchanged',
  );
  assert.deepEqual(
    round.events.map((e) => [e.event_id, e.trace_id]),
    [
      ['11', '0af7651916cd43dd8448eb211c80319c'],
      ['12', '11111111111111111111111111111111'],
      ['13', undefined],
    ],
  );
  assert.equal(round.spans.length, 3);
});

test('rounds of several partitions merge into one: records in each partition’s order, one row per event and per delivery', () => {
  const p0 = routeRound([message(event('10')), message(event('11'))], index, Date.now(), { partition: 0 });
  const p1 = routeRound([message(Buffer.from('junk')), message(event('10')), message(event('12', 'other'))], index, Date.now(), { partition: 1 });
  const merged = mergeRounds([p0, p1]);
  assert.deepEqual(
    merged.records.map((r) => [r.topic, r.headers['ey-event-id'] ?? r.headers['eventyard-source-partition']]),
    [
      [Topics.deliveries('a'), '10'],
      [Topics.deliveries('a'), '11'],
      [Topics.dead, '1'],
      [Topics.deliveries('a'), '10'],
    ],
  );
  assert.deepEqual(
    merged.events.map((e) => e.event_id),
    ['11', '10', '12'],
    'an event seen in two partitions has one row (the later one)',
  );
  assert.deepEqual(
    merged.deliveries.map((d) => d.event_id),
    ['10', '11'],
  );
  assert.equal(merged.routed.length, 4);
  assert.deepEqual(
    merged.rejected.map((r) => r.reason),
    ['not_protobuf'],
  );
  assert.equal(mergeRounds([p0]), p0, 'one round is itself');
});
