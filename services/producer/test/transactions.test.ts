// Prepare / Commit / Rollback: a committed half-event is published once, through the outbox, with the
// event id Prepare gave it; a rolled-back one never is; the state machine answers 21001/21002.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { getTransaction, upsertProducer } from '@eventyard/db';
import { decodeMessage } from '@eventyard/proto';
import { startProducer } from './fixture.ts';

const callback = { Endpoint: { protocol_type: 1 as const, address: '127.0.0.1:9999', timeout: { seconds: 2 } }, callback_interval: { seconds: 30 } };

test('transactions over gRPC and HTTP', async (t) => {
  const p = await startProducer(t, { EY_TOPIC_PARTITIONS: '1' });

  await t.test('prepare stores a PREPARE with its check-back; commit publishes it once with the same event id', async () => {
    const prepared = await p.client.prepare({ event: { app_id: 'shop', topic_id: 'pay', data: Buffer.from('half') }, tx_callback: callback });
    assert.equal(prepared.ret?.code ?? 0, 0, JSON.stringify(prepared.ret));
    const eventId = prepared.tx?.event_id ?? '';
    assert.match(eventId, /^[1-9]\d*$/);
    assert.equal(prepared.tx?.status, 1);
    const stored = await getTransaction(p.db.knex, eventId);
    assert.equal(stored?.status, 'prepare');
    assert.deepEqual(stored?.callback, { protocol_type: 1, address: '127.0.0.1:9999', timeout_ms: 2000 });
    assert.equal(stored?.callback_interval_ms, 30_000);

    const committed = await p.client.commit({ event_id: eventId, trigger: { trigger_type: 1 } });
    assert.deepEqual(committed, { ret: { code: 0, msg: '' }, tx: { event_id: eventId, status: 2 } });
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    const record = records.find((r) => r.headers['ey-event-id'] === eventId);
    const envelope = decodeMessage('eventyard.v1.IngestEnvelope', record?.value ?? Buffer.alloc(0));
    assert.equal(envelope.event_id, eventId);
    assert.equal(envelope.event?.data.toString(), 'half');
    // The event's trace starts at Commit (none was sent): carried in the header and the envelope.
    assert.match(record?.headers.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(envelope.trace_parent, record?.headers.traceparent);
    assert.equal(envelope.trigger?.trigger_type, 1);
    const outbox = await p.db.knex('outbox').where({ event_id: eventId });
    assert.equal(outbox.length, 1);
    assert.notEqual((outbox[0] as { published_at: Date | null }).published_at, null, 'marked published');

    const again = await p.client.commit({ event_id: eventId });
    assert.deepEqual(again, { ret: { code: 21001, msg: `commit: transaction ${eventId} is COMMIT, not PREPARE` }, tx: { event_id: eventId, status: 2 } });
    const late = await p.client.rollback({ event_id: eventId });
    assert.deepEqual(late.ret, { code: 21002, msg: `rollback: transaction ${eventId} is COMMIT, not PREPARE` });
  });

  await t.test('rollback discards the half-event: never published, commit refused afterwards', async () => {
    const prepared = await p.client.prepare({ event: { app_id: 'shop', topic_id: 'pay-rb' }, tx_callback: callback });
    const eventId = prepared.tx?.event_id ?? '';
    const rolledBack = await p.client.rollback({ event_id: eventId });
    assert.deepEqual(rolledBack, { ret: { code: 0, msg: '' }, tx: { event_id: eventId, status: 3 } });
    const commit = await p.client.commit({ event_id: eventId });
    assert.equal(commit.ret?.code, 21001);
    assert.equal(commit.tx?.status, 3);
    const sentinel = await p.client.report({ event: { app_id: 'shop', topic_id: 'sentinel' } });
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === sentinel.event_id));
    assert.ok(!records.some((r) => r.headers['ey-event-id'] === eventId), 'rolled back: not on ingest');
    assert.equal((await p.db.knex('outbox').where({ event_id: eventId })).length, 0);
  });

  await t.test('unknown ids, malformed ids, bad triggers and a missing check-back endpoint', async () => {
    assert.deepEqual((await p.client.rollback({ event_id: '12345' })).ret, { code: 21002, msg: 'rollback: unknown transaction 12345' });
    assert.deepEqual((await p.client.commit({ event_id: '12345' })).ret, { code: 21001, msg: 'commit: unknown transaction 12345' });
    assert.deepEqual((await p.client.commit({ event_id: 'abc' })).ret, { code: 10000, msg: 'event_id must be a decimal 64-bit event id (1-19 digits)' });
    assert.deepEqual((await p.client.prepare({ event: { app_id: '', topic_id: 'x' } })).ret, { code: 10000, msg: 'event.app_id is required' });
    const noEndpoint = await p.client.prepare({ event: { app_id: 'shop', topic_id: 'unconfigured' } });
    assert.deepEqual(noEndpoint.ret, {
      code: 10000,
      msg: 'tx_callback.Endpoint.address is required (or set tx_address in the producer config of shop/unconfigured)',
    });
    const prepared = await p.client.prepare({ event: { app_id: 'shop', topic_id: 'pay-bad' }, tx_callback: callback });
    const eventId = prepared.tx?.event_id ?? '';
    const bad = await p.client.commit({ event_id: eventId, trigger: { trigger_type: 3 } });
    assert.deepEqual(bad.ret, { code: 10000, msg: 'trigger.repeat_trigger is required for EVENT_TRIGGER_TYPE_REPEAT' });
    assert.equal((await getTransaction(p.db.knex, eventId))?.status, 'prepare', 'still PREPARE after a refused commit');
  });

  await t.test('the producer config supplies the check-back; a delay trigger on commit goes to the schedule topic', async () => {
    await upsertProducer(p.db.knex, {
      app_id: 'shop',
      topic_id: 'configured',
      tx_protocol_type: 5,
      tx_address: '127.0.0.1:8080/check',
      tx_timeout: 1500,
      tx_callback_interval: 60_000,
    });
    const prepared = await p.client.prepare({ event: { app_id: 'shop', topic_id: 'configured' } });
    const eventId = prepared.tx?.event_id ?? '';
    assert.equal(prepared.ret?.code ?? 0, 0, JSON.stringify(prepared.ret));
    const stored = await getTransaction(p.db.knex, eventId);
    assert.deepEqual(stored?.callback, { protocol_type: 5, address: '127.0.0.1:8080/check', timeout_ms: 1500 });
    assert.equal(stored?.callback_interval_ms, 60_000);
    const committed = await p.client.commit({ event_id: eventId, trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 60 } } } });
    assert.equal(committed.ret?.code ?? 0, 0);
    const records = await p.readTopic(Topics.schedule, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    const item = decodeMessage('eventyard.v1.ScheduleItem', records.find((r) => r.headers['ey-event-id'] === eventId)?.value ?? Buffer.alloc(0));
    assert.equal(item.timer_id, `delay:${eventId}`);
  });

  await t.test('HTTP mirror: EvHub wrappers {event, txCallback}, {eventID, trigger}, {eventID}', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${p.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { ret: { code: number; msg: string }; tx: { event_id: string; status: number } } };
    };
    const prepared = await post('/v1/prepare', {
      event: { app_id: 'shop', topic_id: 'http-tx', data: Buffer.from('h').toString('base64') },
      txCallback: { Endpoint: { protocol_type: 5, address: '127.0.0.1:8080/cb', timeout: { seconds: 1 } }, callback_interval: { seconds: 10 } },
    });
    assert.equal(prepared.status, 200);
    assert.equal(prepared.body.ret.code, 0, prepared.body.ret.msg);
    const eventId = prepared.body.tx.event_id;
    const committed = await post('/v1/commit', { eventID: eventId, trigger: { trigger_type: 1 } });
    assert.deepEqual(committed.body, { ret: { code: 0, msg: '' }, tx: { event_id: eventId, status: 2 } });
    const rolledBack = await post('/v1/rollback', { eventID: eventId });
    assert.equal(rolledBack.body.ret.code, 21002);
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    assert.ok(records.some((r) => r.headers['ey-event-id'] === eventId));
  });
});
