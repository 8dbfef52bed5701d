// routeRound keeps records in ingest order, skips what cannot be decoded, and gives one row per event
// and per (event, processor) even when ingest holds the same event twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessorRecord } from '@eventyard/db';
import { encodeMessage, type IngestEnvelope } from '@eventyard/proto';
import { ProcessorIndex } from '../../src/config-cache/processor-index.ts';
import { routeRound } from '../../src/routing/route-round.ts';

const index = ProcessorIndex.build([
  { dispatcher_id: 'a', app_id: 'shop', topic_id: 'order', is_stop: false, paused: false, filter_tag: {}, filter: null, delay_process_key: '', version: 1 } as unknown as ProcessorRecord,
]);
let offset = 0;
const message = (e: IngestEnvelope | Buffer) => ({ offset: String(offset++), key: null, value: Buffer.isBuffer(e) ? e : encodeMessage('eventyard.v1.IngestEnvelope', e) });
const event = (id: string, topic = 'order'): IngestEnvelope => ({ event_id: id, event: { app_id: 'shop', topic_id: topic, data: Buffer.from(id) } });

test('duplicates produce again but write one row each; garbage is skipped with its offset', () => {
  const messages = [message(event('1')), message(Buffer.from('junk')), message(event('2', 'other')), message(event('1'))];
  const round = routeRound(messages, index, Date.now());
  assert.deepEqual(
    round.records.map((r) => r.headers['ey-event-id']),
    ['1', '1'],
    'at-least-once: a duplicate is produced again',
  );
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
    round.skipped.map((s) => [s.offset, s.reason]),
    [[messages[1]?.offset, 'not_protobuf']],
  );
});
