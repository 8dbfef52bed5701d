// Issue 19 (transforms, CloudEvents) over real processes: a CloudEvent posted to the producer's
// /v1/cloudevents (structured and binary mode) is routed and delivered to webhooks as a CloudEvent whose
// id is the event id, source/type the app and topic, and trace id the one posted; a processor's
// transform reshapes the delivered payload; a transform that fails on an event dead-letters that
// delivery with the reason (visible in the event's history) and the stack keeps delivering.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { adminCall as admin, startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface Hit {
  path: string;
  raw: Buffer;
  headers: Record<string, string>;
}

interface Delivery {
  dispatcher_id: string;
  status: string;
  attempts: Array<{ error_code: string | null; error_message: string | null }>;
}

async function deliveries(stack: RunningStack, eventId: string): Promise<Delivery[]> {
  return ((await admin(stack, 'GET', `/v1/events/${eventId}`)).body.deliveries as Delivery[] | undefined) ?? [];
}

test('CloudEvents in, transformed CloudEvents out, failing transforms dead-lettered with the reason', async (t) => {
  const stack = await startStack(t);
  const hits: Hit[] = [];
  const webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', raw: Buffer.concat(chunks), headers: flat(req.headers) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
  const url = (path: string) => `http://127.0.0.1:${(webhook.address() as AddressInfo).port}${path}`;

  const processors = [
    {
      dispatcher_id: 'e2e-ce-bin',
      addr: url('/bin'),
      webhook_format: 'cloudevents_binary',
      transform: '{"order": order, "total": $sum(items.price), "topic": $event.topic_id}',
    },
    { dispatcher_id: 'e2e-ce-struct', addr: url('/struct'), webhook_format: 'cloudevents_structured' },
    { dispatcher_id: 'e2e-bad-transform', addr: url('/bad'), transform: '$number(order)', retry_strategy: { retry_count: 5, retry_interval: 200 } },
  ];
  for (const processor of processors) {
    const saved = await admin(stack, 'POST', '/v1/processor', {
      processor_conf_info: { app_id: 'shop', topic_id: 'order.created', protocol_type: 'httpSend', timeout: 3000, ...processor },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  }
  const refused = await admin(stack, 'POST', '/v1/processor', {
    processor_conf_info: {
      dispatcher_id: 'e2e-broken',
      app_id: 'shop',
      topic_id: 'order.created',
      protocol_type: 'httpSend',
      addr: url('/x'),
      transform: '{"a": ',
    },
  });
  assert.equal(refused.status, 400);
  assert.match(String((refused.body.ret as { msg: string }).msg), /transform: syntax error at position \d+/);
  await waitForRouterProcessors(stack, processors.length);

  const ingest = `http://127.0.0.1:${stack.port('producer', 'http')}/v1/cloudevents`;
  const structured = await fetch(ingest, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      id: 'order-1',
      source: 'shop',
      type: 'order.created',
      time: '2026-12-06T10:00:00Z',
      traceparent: TRACEPARENT,
      data: { order: 'A-1', items: [{ price: 2 }, { price: 3 }] },
    }),
  });
  assert.equal(structured.status, 202, await structured.clone().text());
  const eventId = ((await structured.json()) as { event_id: string }).event_id;

  const arrived = (path: string, id: string) =>
    hits.find((h) => h.path === path && (h.headers['ce-id'] === id || (JSON.parse(h.raw.toString() || '{}') as { id?: string }).id === id));
  await waitUntil(() => arrived('/bin', eventId) !== undefined && arrived('/struct', eventId) !== undefined, 30_000, 'both CloudEvents webhooks');

  const bin = arrived('/bin', eventId);
  assert.ok(bin);
  assert.deepEqual(JSON.parse(bin.raw.toString()), { order: 'A-1', total: 5, topic: 'order.created' }, 'reshaped by the transform');
  assert.equal(bin.headers['ce-source'], 'shop');
  assert.equal(bin.headers['ce-type'], 'order.created');
  assert.equal(bin.headers['content-type'], 'application/json');
  assert.equal(bin.headers['ce-time'], '2026-12-06T10:00:00.000Z', "the CloudEvent's own time");
  assert.equal(bin.headers.traceparent?.split('-')[1], TRACE_ID, 'the trace posted with the CloudEvent');
  assert.match(bin.headers['webhook-signature'] ?? '', /^v1,/);

  const struct = JSON.parse(arrived('/struct', eventId)?.raw.toString() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(
    [struct.specversion, struct.id, struct.source, struct.type, struct.datacontenttype],
    ['1.0', eventId, 'shop', 'order.created', 'application/json'],
  );
  assert.deepEqual(struct.data, { order: 'A-1', items: [{ price: 2 }, { price: 3 }] }, 'untransformed data as posted');
  assert.equal(String(struct.traceparent).split('-')[1], TRACE_ID);
  assert.equal(struct.time, '2026-12-06T10:00:00.000Z');

  await waitUntil(
    async () => (await deliveries(stack, eventId)).find((d) => d.dispatcher_id === 'e2e-bad-transform')?.status === 'dead',
    30_000,
    'the failing transform dead',
  );
  const bad = (await deliveries(stack, eventId)).find((d) => d.dispatcher_id === 'e2e-bad-transform');
  assert.equal(bad?.attempts.length, 1, 'no retries burnt on a deterministic failure');
  assert.equal(bad?.attempts[0]?.error_code, 'EY_TRANSFORM_FAILED');
  assert.match(bad?.attempts[0]?.error_message ?? '', /Unable to cast value to a number: "A-1"/);
  assert.equal(
    hits.some((h) => h.path === '/bad'),
    false,
  );

  // Binary mode in; the stack keeps delivering after the failure.
  const binary = await fetch(ingest, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': 'order-2',
      'ce-source': 'shop',
      'ce-type': 'order.created',
      'content-type': 'application/json',
      traceparent: TRACEPARENT,
    },
    body: JSON.stringify({ order: 'A-2', items: [{ price: 10 }] }),
  });
  assert.equal(binary.status, 202, await binary.clone().text());
  const second = ((await binary.json()) as { event_id: string }).event_id;
  await waitUntil(() => arrived('/bin', second) !== undefined, 30_000, 'the binary-mode event delivered');
  assert.deepEqual(JSON.parse(arrived('/bin', second)?.raw.toString() ?? '{}'), { order: 'A-2', total: 10, topic: 'order.created' });
  assert.match(arrived('/bin', second)?.headers['ce-time'] ?? '', /^\d{4}-\d{2}-\d{2}T/, 'no time posted: when it was reported');
  const malformed = await fetch(ingest, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-source': 'shop', 'ce-type': 'order.created' }, body: '{}' });
  assert.equal(malformed.status, 400);
  assert.match(((await malformed.json()) as { ret: { msg: string } }).ret.msg, /ce-id header is required/);
});

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}
