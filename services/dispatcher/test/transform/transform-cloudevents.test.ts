// The dispatcher in-process (project broker, fresh database) with real consumers: a processor's transform
// reshapes what a gRPC Dispatch and a webhook receive (headers too); CloudEvents webhooks in binary and
// structured mode carry the event's id, app/topic, time, content type and traceparent, signed over the
// body as sent; a transform that fails (evaluation error, payload not JSON, time budget) dead-letters
// that delivery at once with the reason, without retries, and the processor's other deliveries go on.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { startDispatchServer, verifySignature } from '@eventyard/sdk';
import { startDispatcher, task, waitForDelivery } from '../fixture.ts';

const SECRET = `whsec_${Buffer.from('a-webhook-secret-of-32-bytes-123').toString('base64')}`;
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const REPORTED = { seconds: 1_796_551_200, nanos: 250_000_000 };

test('transforms and CloudEvents webhooks through the dispatcher', async (t) => {
  const f = await startDispatcher(t);
  const hits: Array<{ path: string; raw: Buffer; headers: Record<string, string> }> = [];
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
  const hook = (path: string) => `127.0.0.1:${(webhook.address() as AddressInfo).port}${path}`;
  const received: Array<{ event_id: string; data: string }> = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req) => (received.push({ event_id: req.event_id, data: req.event?.data.toString() ?? '' }), { ret: { code: 0, msg: 'ok' } }),
  });
  t.after(() => server.close());
  const hitOf = (path: string) => hits.find((h) => h.path === path);

  await t.test('CloudEvents binary mode with a transform that sets headers', async () => {
    await f.register({
      dispatcher_id: 'ce-bin',
      protocol_type: 'httpSend',
      addr: hook('/bin'),
      webhook_secret: SECRET,
      webhook_format: 'cloudevents_binary',
      transform: '{"body": {"order": id, "app": $event.app_id}, "headers": {"x-order": $string(id)}}',
      transform_headers: true,
    });
    await f.produceTasks('ce-bin', [
      {
        task: task('101', '{"id": 7, "secret": "dropped"}', {
          trace_parent: TRACE,
          reported_at: REPORTED,
          event: {
            app_id: 'shop',
            topic_id: 'order',
            data: Buffer.from('{"id": 7, "secret": "dropped"}'),
            event_comm: { event_tag: { tag_list: ['vip', 'eu'] } },
          },
        }),
      },
    ]);
    await waitForDelivery(f, '101', 'ce-bin', ['succeeded']);
    const hit = hitOf('/bin');
    assert.ok(hit);
    assert.deepEqual(JSON.parse(hit.raw.toString()), { order: 7, app: 'shop' }, 'the body is the transformed payload');
    assert.equal(hit.headers['content-type'], 'application/json');
    assert.equal(hit.headers['ce-specversion'], '1.0');
    assert.equal(hit.headers['ce-id'], '101');
    assert.equal(hit.headers['ce-source'], 'shop');
    assert.equal(hit.headers['ce-type'], 'order');
    assert.equal(hit.headers['ce-time'], '2026-12-06T10:00:00.250Z');
    assert.equal(hit.headers['ce-eytags'], 'vip,eu');
    assert.equal(hit.headers['ce-eyretrytimes'], '0');
    assert.equal(hit.headers.traceparent, TRACE);
    assert.equal(hit.headers['x-order'], '7');
    assert.ok(verifySignature(SECRET, hit.headers, hit.raw), 'signed over the body as sent');
  });

  await t.test('CloudEvents structured mode: JSON data, and data_base64 for bytes', async () => {
    await f.register({
      dispatcher_id: 'ce-struct',
      protocol_type: 'httpSend',
      addr: hook('/struct'),
      webhook_secret: SECRET,
      webhook_format: 'cloudevents_structured',
    });
    await f.produceTasks('ce-struct', [{ task: task('201', '{"n": 1}', { trace_parent: TRACE, reported_at: REPORTED }) }]);
    await waitForDelivery(f, '201', 'ce-struct', ['succeeded']);
    const hit = hitOf('/struct');
    assert.ok(hit);
    assert.match(hit.headers['content-type'] ?? '', /^application\/cloudevents\+json/);
    assert.deepEqual(JSON.parse(hit.raw.toString()), {
      specversion: '1.0',
      id: '201',
      source: 'shop',
      type: 'order',
      time: '2026-12-06T10:00:00.250Z',
      datacontenttype: 'application/json',
      traceparent: TRACE,
      eyretrytimes: 0,
      eyrepeattimes: 0,
      data: { n: 1 },
    });
    assert.ok(verifySignature(SECRET, hit.headers, hit.raw));
    await f.register({
      dispatcher_id: 'ce-struct',
      protocol_type: 'httpSend',
      addr: hook('/bytes'),
      webhook_secret: SECRET,
      webhook_format: 'cloudevents_structured',
    });
    // The address change reaches the dispatcher through NOTIFY: retry until a delivery goes to /bytes.
    for (let i = 0; hitOf('/bytes') === undefined && i < 50; i++) {
      const id = String(210 + i);
      await f.produceTasks('ce-struct', [{ task: task(id, 'plain text') }]);
      await waitForDelivery(f, id, 'ce-struct', ['succeeded']);
    }
    const bytes = JSON.parse(hitOf('/bytes')?.raw.toString() ?? '{}') as Record<string, unknown>;
    assert.equal(bytes.datacontenttype, 'application/octet-stream');
    assert.equal(Buffer.from(String(bytes.data_base64), 'base64').toString(), 'plain text');
    assert.equal(bytes.data, undefined);
  });

  await t.test('gRPC Dispatch gets the transformed data; a failing transform is dead at once, with the reason', async () => {
    await f.register({
      dispatcher_id: 'rpc',
      addr: `127.0.0.1:${server.port}`,
      transform: '{"n": $number(a)}',
      retry_strategy: { retry_count: 5, retry_interval: 100 },
    });
    await f.register({
      dispatcher_id: 'rpc-loop',
      addr: `127.0.0.1:${server.port}`,
      transform: '($f := function($x){ $f($x + 1) }; $f(0))',
      retry_strategy: { retry_count: 5, retry_interval: 100 },
    });
    await f.produceTasks('rpc', [{ task: task('301', '{"a": "x"}') }, { task: task('302', 'not json') }, { task: task('303', '{"a": "5"}') }]);
    await f.produceTasks('rpc-loop', [{ task: task('304', '{}') }]);

    const ok = await waitForDelivery(f, '303', 'rpc', ['succeeded']);
    assert.equal(ok.attempts.length, 1);
    assert.deepEqual(
      received.find((r) => r.event_id === '303'),
      { event_id: '303', data: '{"n":5}' },
    );
    const expected: Array<[string, string, string, RegExp]> = [
      ['301', 'rpc', 'EY_TRANSFORM_FAILED', /transform: evaluation failed at position \d+: Unable to cast value to a number: "x" \(D3030\)/],
      ['302', 'rpc', 'EY_TRANSFORM_INPUT_NOT_JSON', /the payload cannot be transformed: it is not JSON/],
      ['304', 'rpc-loop', 'EY_TRANSFORM_TIMEOUT', /evaluation exceeded 100 ms/],
    ];
    for (const [eventId, dispatcherId, code, message] of expected) {
      const dead = await waitForDelivery(f, eventId, dispatcherId, ['dead']);
      assert.equal(dead.attempts.length, 1, `${eventId}: no retries burnt`);
      const attempt = dead.attempts[0] as unknown as { error_code: string; error_message: string; outcome: string };
      assert.equal(attempt.error_code, code);
      assert.match(attempt.error_message, message);
      assert.equal(
        received.some((r) => r.event_id === eventId),
        false,
        `${eventId}: never sent`,
      );
    }
    const letters = await f.readTopic(Topics.dead, (records) => ['301', '302', '304'].every((id) => records.some((r) => r.headers['ey-event-id'] === id)));
    const letter = letters.find((r) => r.headers['ey-event-id'] === '301');
    assert.equal(letter?.headers['ey-error-code'], 'EY_TRANSFORM_FAILED');
    assert.match(letter?.headers['ey-error-message'] ?? '', /Unable to cast value/);
  });
});

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}
