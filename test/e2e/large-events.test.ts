// Issue 14 (5): a burst of large events, reported over gRPC and the HTTP mirror, goes through the
// router in produce requests under EY_KAFKA_MAX_BATCH_BYTES and every event is delivered and recorded;
// an event whose records could not fit under it is refused at Report with 10000, on both edges; and a
// record the router refuses is answered by GET /v1/events/:id as `rejected`, with the reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { encodeMessage } from '@eventyard/proto';
import { Kafka, logLevel } from 'kafkajs';
import { registerProcessor, startCollector, producerClient, warmUp } from './event-kinds.ts';
import { adminCall, startStack, waitUntil } from './stack.ts';

const MAX_BATCH_BYTES = 2 * 1024 * 1024;
const EVENT_BYTES = 900 * 1024;

test('a burst of ~900 KiB events is delivered and recorded with EY_KAFKA_MAX_BATCH_BYTES at 2 MB', async (t) => {
  const stack = await startStack(t, { env: { EY_KAFKA_MAX_BATCH_BYTES: String(MAX_BATCH_BYTES), EY_MAX_EVENT_BYTES: String(3 * 1024 * 1024) } });
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'large-sink',
    app_id: 'shop',
    topic_id: 'large',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 10_000,
  });
  const client = producerClient(t, stack);
  await warmUp(client, [collector], 'shop', 'large');
  const http = `http://127.0.0.1:${stack.port('producer', 'http')}/v1/report`;
  const postJson = async (body: unknown): Promise<{ event_id?: string; ret?: { code?: number; msg?: string } }> => {
    const res = await fetch(http, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as { event_id?: string; ret?: { code?: number; msg?: string } };
  };

  const data = (i: number) => Buffer.alloc(EVENT_BYTES, i);
  const answers = await Promise.all([
    ...Array.from({ length: 6 }, (_, i) => client.report({ event: { app_id: 'shop', topic_id: 'large', data: data(i) } })),
    ...Array.from({ length: 6 }, (_, i) => postJson({ event: { app_id: 'shop', topic_id: 'large', data: data(10 + i).toString('base64') } })),
  ]);
  const ids = answers.map((a) => {
    assert.equal(a.ret?.code ?? 0, 0, JSON.stringify(a.ret));
    return a.event_id ?? '';
  });
  for (const id of ids) {
    const got = await collector.waitFor(id, 60_000);
    assert.equal(got.data.length, EVENT_BYTES);
  }
  await waitUntil(
    async () => {
      const rows = await stack.knex('events').whereIn('event_id', ids).select('status', 'payload_size');
      return rows.length === ids.length && rows.every((r: { status: string; payload_size: number }) => r.status === 'routed' && r.payload_size === EVENT_BYTES);
    },
    30_000,
    'every large event recorded as routed',
  );

  // Over EY_MAX_EVENT_BYTES' reach but not EY_KAFKA_MAX_BATCH_BYTES': refused up front, never dead-lettered later.
  const tooLarge = Buffer.alloc(MAX_BATCH_BYTES, 1);
  const grpcRefused = await client.report({ event: { app_id: 'shop', topic_id: 'large', data: tooLarge } });
  assert.equal(grpcRefused.ret?.code, 10000);
  assert.match(grpcRefused.ret?.msg ?? '', /^event would make Kafka records of about \d+ bytes, over the limit of 2097152 bytes \(EY_KAFKA_MAX_BATCH_BYTES\)$/);
  const httpRefused = await postJson({ event: { app_id: 'shop', topic_id: 'large', data: tooLarge.toString('base64') } });
  assert.equal(httpRefused.ret?.code, 10000);
  assert.equal(httpRefused.ret?.msg, grpcRefused.ret?.msg);
  const view = await adminCall(stack, 'GET', `/v1/events/${grpcRefused.event_id}`);
  assert.equal(view.status, 404, 'a refused Report publishes nothing');

  // A record another client wrote straight to ingest, which the router must refuse: GET answers for it.
  const kafka = new Kafka({ brokers: [stack.kafkaBrokers], clientId: 'e2e-raw', logLevel: logLevel.NOTHING });
  const raw = kafka.producer();
  await raw.connect();
  const eventId = '7000000000000001';
  try {
    const value = encodeMessage('eventyard.v1.IngestEnvelope', {
      event_id: eventId,
      event: { app_id: 'shop', topic_id: 'large', data: Buffer.from('x'), event_comm: { event_tag: { tag_list: ['bad\u0000tag'] } } },
    });
    await raw.send({ topic: Topics.ingest, acks: -1, messages: [{ key: eventId, value, headers: { 'ey-event-id': eventId } }] });
  } finally {
    await raw.disconnect();
  }
  let rejected: Record<string, unknown> = {};
  await waitUntil(
    async () => {
      const found = await adminCall(stack, 'GET', `/v1/events/${eventId}`);
      rejected = (found.body.event ?? {}) as Record<string, unknown>;
      return found.status === 200;
    },
    30_000,
    'the rejected event to be recorded',
  );
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.status_reason, 'event.event_comm.event_tag.tag_list[0] contains a NUL character (U+0000), which Postgres cannot store');
});
