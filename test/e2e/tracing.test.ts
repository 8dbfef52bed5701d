// Issue 17, item 1, over real processes: every service exports its spans (OTLP over HTTP, JSON
// encoding) to a receiver this test runs. One Report carrying a traceparent yields one trace whose spans
// come from the producer, the router and the dispatcher in parent/child order, and the test's Dispatch
// server and a webhook receive that trace (the dispatcher's call span as parent); a retried delivery's
// span is linked to the first attempt's; the admin API shows the event's trace id. A dead delivery's
// dead letter carries the trace, its log line the trace and span ids, and a redrive or a replay of it
// continues the event's trace (an admin `replay` span, parent of the replayed delivery).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { adminCall, startStack, waitForRouterProcessors, waitUntil } from './stack.ts';

interface OtlpSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  links: Array<{ traceId: string; spanId: string }>;
  attributes: Record<string, unknown>;
  events: string[];
  statusCode: number;
}

type Json = Record<string, unknown>;

/** OTLP/JSON writes ids as hex; tolerate base64 too (the protobuf-JSON mapping of bytes). */
function hexId(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return /^[0-9a-f]*$/i.test(text) ? text.toLowerCase() : Buffer.from(text, 'base64').toString('hex');
}

function attributesOf(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of (list ?? []) as Array<{ key: string; value: Json }>) {
    const v = entry.value;
    out[entry.key] = v.stringValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.boolValue ?? v.doubleValue;
  }
  return out;
}

/** An OTLP/HTTP receiver (POST /v1/traces, JSON) on a free port, keeping every span it is sent. */
async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    read(req).then(
      (body) => {
        if (req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
          res.writeHead(415).end();
          return;
        }
        const payload = JSON.parse(body.toString('utf8')) as { resourceSpans?: Json[] };
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = String(attributesOf((resourceSpans.resource as Json | undefined)?.attributes)['service.name'] ?? '');
          for (const scope of (resourceSpans.scopeSpans ?? []) as Json[]) {
            for (const span of (scope.spans ?? []) as Json[]) {
              spans.push({
                service,
                traceId: hexId(span.traceId),
                spanId: hexId(span.spanId),
                parentSpanId: hexId(span.parentSpanId ?? ''),
                name: String(span.name),
                kind: Number(span.kind),
                links: ((span.links ?? []) as Json[]).map((link) => ({ traceId: hexId(link.traceId), spanId: hexId(link.spanId) })),
                attributes: attributesOf(span.attributes),
                events: ((span.events ?? []) as Json[]).map((event) => String(event.name)),
                statusCode: Number((span.status as Json | undefined)?.code ?? 0),
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()),
  };
}

const SPAN_KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;
const STATUS_ERROR = 2;

function traceParentOf(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

test('one Report with a traceparent is one trace through producer, router and dispatcher to the consumer; a retry is linked', async (t) => {
  const receiver = await startOtlpReceiver();
  const stack = await startStack(t, {
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export promptly, so the test does not wait out the default 5 s batch delay.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  const app = 'traced';

  const received: Array<{ event_id: string; topic: string; retry_times: number; traceparent: string }> = [];
  const failedOnce = new Set<string>();
  let brokenHealed = false;
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: (req, context) => {
      const topic = req.event?.topic_id ?? '';
      received.push({ event_id: req.event_id, topic, retry_times: req.retry_times, traceparent: context.headers.traceparent ?? '' });
      if (topic === 'flaky' && !failedOnce.has(req.event_id)) {
        failedOnce.add(req.event_id);
        return Promise.resolve({ ret: { code: 500, msg: 'first attempt fails' }, pass_back: Buffer.alloc(0) });
      }
      if (topic === 'broken' && !brokenHealed) return Promise.resolve({ ret: { code: 500, msg: 'down' }, pass_back: Buffer.alloc(0) });
      return Promise.resolve({ ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) });
    },
  });
  const addr = `127.0.0.1:${server.port}`;
  const webhookCalls: Array<{ event_id: string; traceparent: string }> = [];
  const webhook = createServer((req, res) => {
    read(req).then(
      (body) => {
        webhookCalls.push({ event_id: String((JSON.parse(body.toString('utf8')) as Json).event_id), traceparent: String(req.headers.traceparent ?? '') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":{"code":0,"msg":"ok"}}');
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookPort = (webhook.address() as AddressInfo).port;
  await registerProcessor(stack, { dispatcher_id: 'otel-orders', app_id: app, topic_id: 'order', protocol_type: 'grpcSend', addr, timeout: 5000 });
  await registerProcessor(stack, {
    dispatcher_id: 'otel-flaky',
    app_id: app,
    topic_id: 'flaky',
    protocol_type: 'grpcSend',
    addr,
    timeout: 5000,
    retry_strategy: { retry_count: 3, retry_interval: 300 },
  });
  await registerProcessor(stack, {
    dispatcher_id: 'otel-hook',
    app_id: app,
    topic_id: 'hook',
    protocol_type: 'httpSend',
    addr: `127.0.0.1:${webhookPort}/dispatch`,
    timeout: 5000,
  });
  await registerProcessor(stack, {
    dispatcher_id: 'otel-broken',
    app_id: app,
    topic_id: 'broken',
    protocol_type: 'grpcSend',
    addr,
    timeout: 5000,
    retry_strategy: { retry_count: 1, retry_interval: 300 },
  });
  await waitForRouterProcessors(stack, 4);
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });

  const report = async (topic: string, traceparent: string): Promise<string> => {
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', traceparent);
    const rsp = await client.report({ event: { app_id: app, topic_id: topic, data: Buffer.from('{}') } }, { metadata });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    return rsp.event_id;
  };
  const spansOf = (traceId: string): OtlpSpan[] => receiver.spans.filter((span) => span.traceId === traceId);
  const describe = (traceId: string): string =>
    JSON.stringify(
      spansOf(traceId).map((s) => ({ service: s.service, name: s.name, spanId: s.spanId, parent: s.parentSpanId, links: s.links })),
      null,
      1,
    );

  try {
    await t.test('the spans of one event form one trace in the right order, and the consumer gets it', async () => {
      const traceId = randomHex(16);
      const callerSpanId = randomHex(8);
      const eventId = await report('order', traceParentOf(traceId, callerSpanId));
      await waitUntil(() => received.some((r) => r.event_id === eventId), 30_000, 'the event delivered');
      const delivered = received.find((r) => r.event_id === eventId);
      assert.equal(delivered?.traceparent.split('-')[1], traceId, "the Dispatch metadata carries the Report's trace id");

      // Producer: Report (server) ← the caller's span; send eventyard.ingest (producer) under it.
      // Router: process eventyard.ingest (consumer) under the send. Dispatcher: process (consumer) under
      // the router's, and the Dispatch call (client) under that: the span the consumer's traceparent names.
      let chain: OtlpSpan[] = [];
      await waitUntil(
        () => {
          const spans = spansOf(traceId);
          const find = (service: string, name: string, parent: string | undefined) =>
            spans.find((s) => s.service === service && s.name === name && s.parentSpanId === parent);
          const reportSpan = find('eventyard-producer', 'evhub_producer.evhubProducer/Report', callerSpanId);
          const send = find('eventyard-producer', 'send eventyard.ingest', reportSpan?.spanId);
          const route = find('eventyard-router', 'process eventyard.ingest', send?.spanId);
          const process = find('eventyard-dispatcher', 'process eventyard.deliveries.otel-orders', route?.spanId);
          const call = find('eventyard-dispatcher', 'evhub_processor.evhubProcessor/Dispatch', process?.spanId);
          chain = [reportSpan, send, route, process, call].filter((s) => s !== undefined);
          return chain.length === 5;
        },
        30_000,
        'the five spans of the event',
      );
      const [reportSpan, send, route, process, call] = chain as [OtlpSpan, OtlpSpan, OtlpSpan, OtlpSpan, OtlpSpan];
      assert.deepEqual(
        [reportSpan.kind, send.kind, route.kind, process.kind, call.kind],
        [SPAN_KIND.server, SPAN_KIND.producer, SPAN_KIND.consumer, SPAN_KIND.consumer, SPAN_KIND.client],
      );
      assert.equal(delivered?.traceparent.split('-')[2], call.spanId, "the consumer's parent is the dispatcher's call span");
      assert.equal(reportSpan.attributes['rpc.system'], 'grpc');
      assert.equal(reportSpan.attributes['eventyard.event_id'], eventId);
      for (const span of [send, route, process]) {
        assert.equal(span.attributes['messaging.system'], 'kafka');
        assert.equal(span.attributes['eventyard.event_id'], eventId);
        assert.equal(span.attributes['eventyard.app_id'], app);
        assert.equal(span.attributes['eventyard.topic_id'], 'order');
      }
      assert.equal(process.attributes['eventyard.dispatcher_id'], 'otel-orders');
      assert.equal(call.attributes['eventyard.dispatcher_id'], 'otel-orders');

      const view = await adminCall(stack, 'GET', `/v1/events/${eventId}`);
      assert.equal((view.body.event as Json).trace_id, traceId, 'GET /v1/events/:id shows the trace id');

      // Maintained instrumentations where they fit: the admin's HTTP server span, its Postgres queries under it.
      await waitUntil(
        () => {
          const gets = receiver.spans.filter((s) => s.service === 'eventyard-admin' && s.kind === SPAN_KIND.server && s.name.startsWith('GET'));
          return receiver.spans.some(
            (s) => s.service === 'eventyard-admin' && s.name.startsWith('pg.query') && gets.some((get) => get.spanId === s.parentSpanId),
          );
        },
        30_000,
        'the admin request span (instrumentation-http) with its queries (instrumentation-pg)',
      );
    });

    await t.test('a retried delivery is a new span linked to the failed first attempt', async () => {
      const traceId = randomHex(16);
      const eventId = await report('flaky', traceParentOf(traceId, randomHex(8)));
      await waitUntil(() => received.filter((r) => r.event_id === eventId).length >= 2, 30_000, 'two attempts');
      assert.ok(
        received.filter((r) => r.event_id === eventId).every((r) => r.traceparent.split('-')[1] === traceId),
        'every attempt carries the trace',
      );
      const processName = 'process eventyard.deliveries.otel-flaky';
      let first: OtlpSpan | undefined;
      let retry: OtlpSpan | undefined;
      let route: OtlpSpan | undefined;
      await waitUntil(
        () => {
          const spans = spansOf(traceId);
          route = spans.find((s) => s.service === 'eventyard-router');
          first = spans.find((s) => s.name === processName && s.attributes['eventyard.retry_times'] === 0);
          retry = spans.find((s) => s.name === processName && s.attributes['eventyard.retry_times'] === 1);
          return route !== undefined && first !== undefined && retry !== undefined;
        },
        30_000,
        'the spans of both attempts',
      );
      assert.ok(first && retry && route, describe(traceId));
      assert.equal(first.statusCode, STATUS_ERROR, 'the failed attempt is an error');
      assert.ok(first.events.includes('eventyard.retry_scheduled'), describe(traceId));
      assert.notEqual(retry.spanId, first.spanId);
      assert.equal(retry.parentSpanId, route.spanId, 'every attempt is a child of the router span');
      assert.deepEqual(retry.links, [{ traceId, spanId: first.spanId }], 'the retry is linked to the first attempt');
      // The delay-scheduler's timer span sits under the attempt that scheduled the retry.
      await waitUntil(
        () => spansOf(traceId).some((s) => s.service === 'eventyard-delay-scheduler' && s.parentSpanId === first?.spanId),
        30_000,
        'the scheduler span',
      );
    });
    await t.test("a webhook gets the trace in its traceparent header, the dispatcher's POST span as parent", async () => {
      const traceId = randomHex(16);
      const eventId = await report('hook', traceParentOf(traceId, randomHex(8)));
      await waitUntil(() => webhookCalls.some((c) => c.event_id === eventId), 30_000, 'the webhook called');
      const [, sentTraceId, parentSpanId] = webhookCalls.find((c) => c.event_id === eventId)?.traceparent.split('-') ?? [];
      assert.equal(sentTraceId, traceId);
      await waitUntil(
        () =>
          spansOf(traceId).some((s) => s.service === 'eventyard-dispatcher' && s.name === 'POST' && s.kind === SPAN_KIND.client && s.spanId === parentSpanId),
        30_000,
        'the POST span',
      );
      const post = spansOf(traceId).find((s) => s.spanId === parentSpanId);
      assert.equal(post?.attributes['http.request.method'], 'POST');
      assert.equal(post?.attributes['http.response.status_code'], 200);
      assert.equal(post?.attributes['url.full'], `http://127.0.0.1:${webhookPort}/dispatch`);
    });
    await t.test('a dead delivery: its dead letter and log line carry the trace; a redrive and a replay continue it', async () => {
      const traceId = randomHex(16);
      const eventId = await report('broken', traceParentOf(traceId, randomHex(8)));
      const statusOf = async (): Promise<string | undefined> => {
        const view = await adminCall(stack, 'GET', `/v1/events/${eventId}`);
        return (view.body.deliveries as Array<{ dispatcher_id: string; status: string }> | undefined)?.find((d) => d.dispatcher_id === 'otel-broken')?.status;
      };
      await waitUntil(async () => (await statusOf()) === 'dead', 30_000, 'the delivery dead');

      // The dead letter on eventyard.dead names the trace of the delivery that died.
      const kafka = new Kafka({ brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `e2e-otel-dead-${randomHex(4)}` });
      await consumer.connect();
      let deadTraceParent: string | undefined;
      try {
        await consumer.subscribe({ topic: 'eventyard.dead', fromBeginning: true });
        await consumer.run({
          eachMessage: ({ message }) => {
            if (message.headers?.['ey-event-id']?.toString() === eventId) deadTraceParent = message.headers.traceparent?.toString() ?? '';
            return Promise.resolve();
          },
        });
        await waitUntil(() => deadTraceParent !== undefined, 30_000, 'the dead letter');
      } finally {
        await consumer.disconnect();
      }
      const [, deadTraceId, deadSpanId] = deadTraceParent?.split('-') ?? [];
      assert.equal(deadTraceId, traceId, `the dead letter's traceparent (${deadTraceParent}) is in the event's trace`);
      await waitUntil(
        () =>
          spansOf(traceId).some(
            (s) => s.name === 'process eventyard.deliveries.otel-broken' && s.spanId === deadSpanId && s.events.includes('eventyard.dead_lettered'),
          ),
        30_000,
        `the dead delivery's span is the dead letter's parent ${describe(traceId)}`,
      );

      // The dispatcher's log line about the dead delivery carries the trace and its delivery span.
      const deadLine = stack
        .logs('dispatcher')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Json)
        .find((line) => line.msg === 'delivery dead: attempts exhausted' && line.event_id === eventId);
      assert.ok(deadLine, 'the dispatcher logged the dead delivery');
      assert.equal(deadLine.trace_id, traceId);
      assert.equal(deadLine.span_id, deadSpanId, "the span id is the dead delivery's span");

      // Redrive (a replay job): the manual attempt is in the event's trace, under the admin's replay span.
      brokenHealed = true;
      const attemptsOf = () => received.filter((r) => r.event_id === eventId);
      const before = attemptsOf().length;
      const redrive = await adminCall(stack, 'POST', '/v1/processors/otel-broken/redrive', {});
      assert.equal(redrive.status, 202, JSON.stringify(redrive.body));
      await waitUntil(() => attemptsOf().length > before, 30_000, 'the redriven attempt');
      assert.equal(attemptsOf().at(-1)?.traceparent.split('-')[1], traceId, "the redriven Dispatch carries the event's trace");
      const manualSpans = (): OtlpSpan[] =>
        spansOf(traceId).filter((s) => s.name === 'process eventyard.deliveries.otel-broken' && s.attributes['eventyard.trigger_source'] === 'manual');
      const replaySpans = (): OtlpSpan[] => spansOf(traceId).filter((s) => s.service === 'eventyard-admin' && s.name === 'replay');
      await waitUntil(
        () => manualSpans().some((m) => replaySpans().some((r) => r.spanId === m.parentSpanId)),
        30_000,
        `the redriven delivery under a replay span ${describe(traceId)}`,
      );
      const replaySpan = replaySpans()[0];
      assert.equal(replaySpan?.kind, SPAN_KIND.producer);
      assert.equal(replaySpan?.attributes['eventyard.event_id'], eventId);
      assert.equal(replaySpan?.attributes['eventyard.replay.dispatcher_ids'], 'otel-broken');

      // A single-event replay: the same trace, a second replay span.
      const replayed = await adminCall(stack, 'POST', `/v1/events/${eventId}/replay`, { dispatcher_id: 'otel-broken' });
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      await waitUntil(() => attemptsOf().length > before + 1, 30_000, 'the replayed attempt');
      assert.equal(attemptsOf().at(-1)?.traceparent.split('-')[1], traceId, "the replayed Dispatch carries the event's trace");
      await waitUntil(
        () => manualSpans().filter((m) => replaySpans().some((r) => r.spanId === m.parentSpanId)).length >= 2,
        30_000,
        `two replayed deliveries ${describe(traceId)}`,
      );
    });
  } finally {
    client.close();
    await new Promise<void>((resolve) => webhook.close(() => resolve()) && webhook.closeAllConnections());
    await server.close();
    await receiver.close();
  }
});
