// POST /v1/cloudevents on the producer in-process (project broker, fresh database): CloudEvents 1.0 in
// binary and structured mode land on eventyard.ingest mapped as the README's table says (app and topic
// from source/type or the ey* extensions, data bytes as sent, tags, partitionkey, time, traceparent), a
// resent CloudEvent (same source and id) is one event, API keys apply as on /v1/report, and every
// malformed CloudEvent gets a 4xx naming the problem while the service keeps serving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { createApiKey } from '@eventyard/db';
import { decodeMessage, type IngestEnvelope__Output } from '@eventyard/proto';
import { startProducer } from '../fixture.ts';

interface Answer {
  status: number;
  body: { event_id?: string; duplicate?: boolean; error?: string; ret: { code: number; msg: string } };
}

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('CloudEvents ingest', async (t) => {
  const p = await startProducer(t, { EY_TOPIC_PARTITIONS: '1' });
  const url = `${p.httpUrl}/v1/cloudevents`;
  const post = async (headers: Record<string, string>, body?: string | Buffer): Promise<Answer> => {
    const res = await fetch(url, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const ingested = async (eventId: string): Promise<IngestEnvelope__Output> => {
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    const record = records.find((r) => r.headers['ey-event-id'] === eventId);
    assert.ok(record, `event ${eventId} on ingest`);
    return decodeMessage('eventyard.v1.IngestEnvelope', record.value);
  };

  await t.test('binary mode: ce-* headers, the body as the data, traceparent kept', async () => {
    const body = Buffer.from('{"order": 7, "total": 12.5}');
    const answer = await post(
      {
        'ce-specversion': '1.0',
        'ce-id': 'A-1',
        'ce-source': '/shop/web',
        'ce-type': 'order.created',
        'ce-time': '2026-12-06T10:00:00.250Z',
        'ce-eyappid': 'shop',
        'ce-eytags': 'vip, caf%C3%A9',
        'ce-partitionkey': 'customer-7',
        'content-type': 'application/json',
        traceparent: TRACE,
      },
      body,
    );
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.ret.code, 0);
    const envelope = await ingested(answer.body.event_id ?? '');
    assert.equal(envelope.event?.app_id, 'shop', 'eyappid wins over source');
    assert.equal(envelope.event?.topic_id, 'order.created', 'type');
    assert.deepEqual(envelope.event?.data, body, 'the body byte for byte');
    assert.equal(envelope.event?.event_comm?.event_source?.source, '/shop/web');
    assert.equal(Number(envelope.event?.event_comm?.event_source?.create_time?.seconds), Date.parse('2026-12-06T10:00:00Z') / 1000);
    assert.deepEqual(envelope.event?.event_comm?.event_tag?.tag_list, ['vip', 'café'], 'percent-decoded');
    assert.equal(envelope.option?.orderingKey, 'customer-7');
    assert.equal(envelope.option?.idempotent?.key, 'ce:/shop/web A-1');
    assert.equal(envelope.trace_parent, TRACE);

    const again = await post({ 'ce-specversion': '1.0', 'ce-id': 'A-1', 'ce-source': '/shop/web', 'ce-type': 'order.created', 'ce-eyappid': 'shop' }, body);
    assert.equal(again.status, 202);
    assert.equal(again.body.event_id, answer.body.event_id, 'same source and id: the same event');
    assert.equal(again.body.duplicate, true);
  });

  await t.test('structured mode: JSON data, data_base64, text data', async () => {
    const event = { specversion: '1.0', id: 'B-1', source: 'shop', type: 'order.paid', time: '2026-12-06T10:00:00Z', traceparent: TRACE, data: { order: 7 } };
    const answer = await post({ 'content-type': 'application/cloudevents+json; charset=utf-8' }, JSON.stringify(event));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const envelope = await ingested(answer.body.event_id ?? '');
    assert.deepEqual([envelope.event?.app_id, envelope.event?.topic_id], ['shop', 'order.paid'], 'source and type without extensions');
    assert.equal(envelope.event?.data.toString(), '{"order":7}');
    assert.equal(envelope.trace_parent, TRACE);

    const binary = Buffer.from([0, 1, 2, 255]);
    const b64 = await post(
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({ specversion: '1.0', id: 'B-2', source: 'shop', type: 'blob', data_base64: binary.toString('base64') }),
    );
    assert.equal(b64.status, 202, JSON.stringify(b64.body));
    assert.deepEqual((await ingested(b64.body.event_id ?? '')).event?.data, binary);
    const text = await post(
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({ specversion: '1.0', id: 'B-3', source: 'shop', type: 'note', datacontenttype: 'text/plain', data: 'hello' }),
    );
    assert.equal(text.status, 202, JSON.stringify(text.body));
    assert.equal((await ingested(text.body.event_id ?? '')).event?.data.toString(), 'hello', 'a string with a non-JSON type is its text');
  });

  await t.test('malformed CloudEvents: a 4xx naming the problem', async () => {
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': 'shop', 'ce-type': 'order' };
    const structured = { 'content-type': 'application/cloudevents+json' };
    const valid = { specversion: '1.0', id: 'x', source: 'shop', type: 'order' };
    const cases: Array<[Record<string, string>, string | undefined, number, string, RegExp]> = [
      [{ ...ce, 'ce-specversion': '0.3' }, '{}', 400, 'EY_CLOUDEVENT_INVALID', /specversion "0\.3" is not supported: only CloudEvents 1\.0/],
      [{ 'ce-specversion': '1.0', 'ce-source': 'shop', 'ce-type': 'order' }, '{}', 400, 'EY_CLOUDEVENT_INVALID', /ce-id header is required/],
      [{ ...ce, 'ce-type': '' }, '{}', 400, 'EY_CLOUDEVENT_INVALID', /ce-type header is required/],
      [{ ...ce, 'ce-time': 'yesterday' }, '{}', 400, 'EY_CLOUDEVENT_INVALID', /ce-time header must be an RFC 3339 timestamp/],
      [{ ...ce, 'ce-eytags': '%E0%A4%A' }, '{}', 400, 'EY_CLOUDEVENT_INVALID', /ce-eytags header is not validly percent-encoded/],
      [structured, JSON.stringify({ ...valid, specversion: undefined }), 400, 'EY_CLOUDEVENT_INVALID', /specversion is required/],
      [structured, JSON.stringify({ ...valid, source: undefined }), 400, 'EY_CLOUDEVENT_INVALID', /source is required/],
      [structured, JSON.stringify({ ...valid, id: 7 }), 400, 'EY_CLOUDEVENT_INVALID', /id must be a string/],
      [structured, JSON.stringify({ ...valid, data: 1, data_base64: 'AA==' }), 400, 'EY_CLOUDEVENT_INVALID', /data and data_base64 are both set/],
      [structured, JSON.stringify([valid]), 400, 'EY_CLOUDEVENT_INVALID', /one CloudEvent as a JSON object/],
      [structured, '{"specversion":', 400, 'EY_CLOUDEVENT_INVALID', /the body is not JSON/],
      [{ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify([valid]), 415, 'EY_CLOUDEVENT_MEDIA_TYPE', /batched mode .* is not supported/],
      [
        { 'content-type': 'application/json' },
        JSON.stringify(valid),
        415,
        'EY_CLOUDEVENT_MEDIA_TYPE',
        /not a CloudEvent: .*got Content-Type application\/json without ce-\* headers/,
      ],
      [{ ...ce, 'ce-eyappid': ' ' }, '{}', 400, 'EY_REPORT_INVALID', /event\.app_id is required/],
    ];
    for (const [headers, body, status, code, message] of cases) {
      const answer = await post(headers, body);
      assert.equal(answer.status, status, `${JSON.stringify(headers)} ${body} → ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error, code);
      assert.equal(answer.body.ret.code, 10000);
      assert.match(answer.body.ret.msg, message);
    }
    // Still serving.
    assert.equal((await post(ce, '{}')).status, 202);
  });
});

test('CloudEvents ingest takes the same API keys as /v1/report', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: 'true' });
  const headers = { 'ce-specversion': '1.0', 'ce-id': 'k-1', 'ce-source': 'shop', 'ce-type': 'order', 'content-type': 'application/json' };
  const post = (extra: Record<string, string>) => fetch(`${p.httpUrl}/v1/cloudevents`, { method: 'POST', headers: { ...headers, ...extra }, body: '{}' });
  const anonymous = await post({});
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: string }).error, 'EY_UNAUTHENTICATED');
  const { secret: other } = await createApiKey(p.db.knex, { name: 'other', app_ids: ['billing'] });
  assert.equal((await post({ authorization: `Bearer ${other}` })).status, 403, 'a key not scoped to the app');
  const { secret } = await createApiKey(p.db.knex, { name: 'shop', app_ids: ['shop'] });
  const keyed = await post({ authorization: `Bearer ${secret}` });
  assert.equal(keyed.status, 202, await keyed.text());
});
