// Nothing on ingest is skipped silently, and nothing is produced that Kafka would refuse: a record the
// router cannot route (another client wrote it straight to the topic, an older producer let it through)
// and an event whose records are over EY_KAFKA_MAX_BATCH_BYTES go to eventyard.dead with the reason and
// their source, and get a `rejected` history row; rounds are produced in requests under the limit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { decodeMessage } from '@eventyard/proto';
import type { KafkaMessage } from 'kafkajs';
import { nextEventId, startRouter, waitFor } from './fixture.ts';

const LIMIT = 64 * 1024;

test('router rejections and byte-limited rounds', async (t) => {
  const f = await startRouter(t, { EY_CONFIG_RELOAD_MS: '600000', EY_KAFKA_MAX_BATCH_BYTES: String(LIMIT) });
  await upsertProcessor(f.db.knex, { dispatcher_id: 'sink', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
  await f.app.reloadConfig();

  await t.test('text Postgres cannot store, written straight to ingest: dead letter with its source, rejected row naming the field', async () => {
    const bad = nextEventId();
    const after = nextEventId();
    await f.ingest([
      {
        event_id: bad,
        event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('x'), event_comm: { event_tag: { tag_list: ['t\u0000'] } } },
        option: { orderingKey: 'nul' },
      },
      { event_id: after, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('y') }, option: { orderingKey: 'nul' } },
    ]);
    const { event } = await f.waitForEvent(bad);
    assert.equal(event.status, 'rejected');
    assert.equal(event.status_reason, 'event.event_comm.event_tag.tag_list[0] contains a NUL character (U+0000), which Postgres cannot store');
    assert.equal(event.payload?.toString(), 'x');
    assert.equal((await f.waitForEvent(after)).event.status, 'routed', 'the next event still routes');
    const dead = await f.readTopic(Topics.dead, (records) => records.some((r) => r.headers['ey-event-id'] === bad));
    const letter = dead.find((r) => r.headers['ey-event-id'] === bad);
    assert.equal(letter?.headers['ey-error-code'], 'EY_INGEST_RECORD_INVALID');
    assert.equal(letter?.headers['eventyard-reason'], event.status_reason);
    assert.equal(letter?.headers['eventyard-source-topic'], Topics.ingest);
    assert.match(letter?.headers['eventyard-source-offset'] ?? '', /^\d+$/);
    assert.equal(decodeMessage('eventyard.v1.IngestEnvelope', letter?.value ?? Buffer.alloc(0)).event_id, bad, 'the record as read');
  });

  await t.test('an event too large for EY_KAFKA_MAX_BATCH_BYTES: no task, a dead letter without the value, a rejected row', async () => {
    const big = nextEventId();
    const after = nextEventId();
    await f.ingest([
      { event_id: big, event: { app_id: 'shop', topic_id: 'order', data: Buffer.alloc(LIMIT + 1000, 7) }, option: { orderingKey: 'big' } },
      { event_id: after, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('small') }, option: { orderingKey: 'big' } },
    ]);
    const { event, deliveries } = await f.waitForEvent(big);
    assert.equal(event.status, 'rejected');
    assert.match(event.status_reason ?? '', /over the limit of 65536 bytes \(EY_KAFKA_MAX_BATCH_BYTES\)/);
    assert.equal(deliveries.length, 0);
    assert.equal(event.payload_size, LIMIT + 1000, 'the payload is kept in the history');
    await f.waitForEvent(after);
    const tasks = await f.readTopic(Topics.deliveries('sink'), (records) => records.some((r) => r.headers['ey-event-id'] === after));
    assert.ok(!tasks.some((r) => r.headers['ey-event-id'] === big), 'no delivery task');
    const dead = await f.readTopic(Topics.dead, (records) => records.some((r) => r.headers['ey-event-id'] === big));
    const letter = dead.find((r) => r.headers['ey-event-id'] === big);
    assert.equal(letter?.headers['ey-error-code'], 'EY_RECORD_TOO_LARGE');
    assert.equal(letter?.value.length, 0);
    assert.ok(Number(letter?.headers['eventyard-dropped-value-bytes']) > LIMIT);
  });

  await t.test('a round larger than EY_KAFKA_MAX_BATCH_BYTES goes out in record batches under it, every event in order', async () => {
    await upsertProcessor(f.db.knex, { dispatcher_id: 'bulk', app_id: 'shop', topic_id: 'bulk', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
    await f.app.reloadConfig();
    const ids = Array.from({ length: 60 }, () => nextEventId());
    // One request, one key: one ingest batch, so one routing round of about 180 KB.
    await f.ingest(
      ids.map((id) => ({ event_id: id, event: { app_id: 'shop', topic_id: 'bulk', data: Buffer.alloc(3000, 1) }, option: { orderingKey: 'bulk' } })),
    );
    const batches = new Map<string, number>();
    const seen: string[] = [];
    const consumer = f.kafka.consumer({ groupId: `batches-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: Topics.deliveries('bulk'), fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          // Records that share a batch's first offset were produced in one request.
          const first = (message as KafkaMessage & { batchContext?: { firstOffset: string } }).batchContext?.firstOffset ?? message.offset;
          batches.set(first, (batches.get(first) ?? 0) + (message.value?.length ?? 0));
          seen.push(message.headers?.['ey-event-id']?.toString() ?? '');
          return Promise.resolve();
        },
      });
      await waitFor(() => seen.length >= ids.length, 15_000, 'every task');
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(seen, ids);
    assert.ok(batches.size >= 3, `${batches.size} record batches`);
    for (const bytes of batches.values()) assert.ok(bytes <= LIMIT, `a record batch of ${bytes} value bytes`);
  });
});
