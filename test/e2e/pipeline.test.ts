// Issue 5 end to end over real processes: a processor registered through the admin API receives events
// reported over gRPC and HTTP; retries are spaced as configured; exhausted deliveries are dead and on
// the dead-letter topic; filtered events say so; an HTTP webhook gets the JSON DispatchReq.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil, adminCall as admin, type RunningStack } from './stack.ts';

type Json = Record<string, unknown>;

interface Delivery {
  dispatcher_id: string;
  status: string;
  attempts: Json[];
}

async function eventView(stack: RunningStack, eventId: string): Promise<{ status: number; body: Json }> {
  return admin(stack, 'GET', `/v1/events/${eventId}`);
}

function deliveriesOf(view: Json): Delivery[] {
  return (view.deliveries ?? (view.event as Json | undefined)?.deliveries ?? []) as Delivery[];
}

test('report → route → dispatch over real processes', async (t) => {
  const stack = await startStack(t);
  const app = 'shop';

  // A Dispatch server whose behaviour depends on the event's topic.
  const received: Array<{ event_id: string; topic: string; retry_times: number; data: string; at: number; pass_back: Buffer }> = [];
  const flakyFailures = new Map<string, number>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      const topic = req.event?.topic_id ?? '';
      received.push({
        event_id: req.event_id,
        topic,
        retry_times: req.retry_times,
        data: Buffer.from(req.event?.data ?? []).toString(),
        at: Date.now(),
        pass_back: Buffer.from(req.pass_back ?? []),
      });
      if (topic === 'flaky') {
        const failures = flakyFailures.get(req.event_id) ?? 0;
        if (failures < 2) {
          flakyFailures.set(req.event_id, failures + 1);
          return { ret: { code: 500, msg: `failure ${failures + 1}` }, pass_back: Buffer.from(`attempt-${failures + 1}`) };
        }
      }
      if (topic === 'broken') return { ret: { code: 500, msg: 'always broken' }, pass_back: Buffer.alloc(0) };
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());
  const addr = `127.0.0.1:${server.port}`;

  const webhookBodies: Json[] = [];
  const webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      webhookBodies.push({ ...(JSON.parse(body) as Json), __headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":{"code":0,"msg":"ok"}}');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  // The dispatcher keeps its connection alive; close it too, or close() waits for the stack's teardown.
  t.after(() => new Promise<void>((resolve) => webhook.close(() => resolve()) && webhook.closeAllConnections()));
  const webhookPort = (webhook.address() as AddressInfo).port;

  await registerProcessor(stack, { dispatcher_id: 'e2e-orders', app_id: app, topic_id: 'order', protocol_type: 'grpcSend', addr, timeout: 2000 });
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-flaky',
    app_id: app,
    topic_id: 'flaky',
    protocol_type: 'grpcSend',
    addr,
    timeout: 2000,
    retry_strategy: { retry_count: 3, retry_interval: 700 },
  });
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-broken',
    app_id: app,
    topic_id: 'broken',
    protocol_type: 'grpcSend',
    addr,
    timeout: 2000,
    retry_strategy: { retry_count: 2, retry_interval: 300 },
  });
  await registerProcessor(stack, { dispatcher_id: 'e2e-vip', app_id: app, topic_id: 'vip', protocol_type: 'grpcSend', addr, filter_tag: { vip: true } });
  // The same topic without a filter: one event, filtered for e2e-vip and delivered to this one.
  await registerProcessor(stack, { dispatcher_id: 'e2e-vip-audit', app_id: app, topic_id: 'vip', protocol_type: 'grpcSend', addr });
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-hook',
    app_id: app,
    topic_id: 'hook',
    protocol_type: 'httpSend',
    addr: `127.0.0.1:${webhookPort}/dispatch`,
    timeout: 2000,
  });

  await waitForRouterProcessors(stack, 6);

  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const report = async (topic: string, data: string, tags: string[] = []) => {
    const rsp = await client.report({ event: { app_id: app, topic_id: topic, event_comm: { event_tag: { tag_list: tags } }, data: Buffer.from(data) } });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    assert.match(rsp.event_id, /^\d{1,19}$/);
    return rsp.event_id;
  };

  await t.test('gRPC and HTTP reports reach the Dispatch server with the right fields', async () => {
    const grpcId = await report('order', '{"n":1}');
    const httpRes = await fetch(`http://127.0.0.1:${stack.port('producer', 'http')}/v1/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: { app_id: app, topic_id: 'order', data: Buffer.from('{"n":2}').toString('base64') } }),
    });
    const httpBody = (await httpRes.json()) as Json;
    assert.equal(httpRes.status, 200, JSON.stringify(httpBody));
    const httpId = String(httpBody.event_id);
    await waitUntil(() => [grpcId, httpId].every((id) => received.some((r) => r.event_id === id)), 30_000, 'both events delivered');
    const first = received.find((r) => r.event_id === grpcId);
    assert.equal(first?.data, '{"n":1}');
    assert.equal(first?.retry_times, 0);
    assert.equal(received.find((r) => r.event_id === httpId)?.data, '{"n":2}');
    await waitUntil(async () => deliveriesOf((await eventView(stack, grpcId)).body).some((d) => d.status === 'succeeded'), 10_000, 'succeeded in history');
  });

  await t.test('a consumer failing twice then succeeding gets 3 attempts spaced by retry_interval, pass_back round-trips', async () => {
    const id = await report('flaky', 'x');
    await waitUntil(() => received.filter((r) => r.event_id === id).length >= 3, 30_000, 'three attempts');
    const attempts = received.filter((r) => r.event_id === id);
    assert.deepEqual(
      attempts.map((a) => a.retry_times),
      [0, 1, 2],
    );
    assert.deepEqual(
      attempts.map((a) => a.pass_back.toString()),
      ['', 'attempt-1', 'attempt-2'],
    );
    for (let i = 1; i < attempts.length; i++) {
      assert.ok((attempts[i]?.at ?? 0) - (attempts[i - 1]?.at ?? 0) >= 650, 'spacing at least the retry interval');
    }
    await waitUntil(
      async () => {
        const delivery = deliveriesOf((await eventView(stack, id)).body).find((d) => d.dispatcher_id === 'e2e-flaky');
        return delivery?.status === 'succeeded' && delivery.attempts.length === 3;
      },
      10_000,
      'history shows 3 attempts and success',
    );
  });

  await t.test('an always-failing consumer ends dead and on the dead-letter topic', async () => {
    const id = await report('broken', 'y');
    await waitUntil(
      async () => deliveriesOf((await eventView(stack, id)).body).some((d) => d.dispatcher_id === 'e2e-broken' && d.status === 'dead'),
      30_000,
      'dead',
    );
    assert.equal(received.filter((r) => r.event_id === id).length, 2, 'retry_count = total attempts');
    const kafka = new Kafka({ brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-dead-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'eventyard.dead', fromBeginning: true });
    const deadIds: string[] = [];
    try {
      await consumer.run({ eachMessage: async ({ message }) => void deadIds.push(message.headers?.['ey-event-id']?.toString() ?? '') });
      await waitUntil(() => deadIds.includes(id), 20_000, 'record on eventyard.dead');
    } finally {
      await consumer.disconnect();
    }
  });

  await t.test('a filtered event shows filtered for the processor that dropped it and succeeded for another; a matching one reaches both', async () => {
    const dropped = await report('vip', 'plain');
    const kept = await report('vip', 'gold', ['vip']);
    const times = (id: string) => received.filter((r) => r.event_id === id).length;
    await waitUntil(() => times(kept) >= 2, 20_000, 'vip event delivered to both processors');
    const statusOf = (view: Json, dispatcherId: string) => deliveriesOf(view).find((d) => d.dispatcher_id === dispatcherId)?.status;
    await waitUntil(
      async () => {
        const view = (await eventView(stack, dropped)).body;
        return statusOf(view, 'e2e-vip') === 'filtered' && statusOf(view, 'e2e-vip-audit') === 'succeeded';
      },
      20_000,
      'filtered for e2e-vip and succeeded for e2e-vip-audit in history',
    );
    assert.equal(times(dropped), 1, 'only the unfiltered processor got the dropped event');
  });

  await t.test('an HTTP webhook processor receives the JSON DispatchReq', async () => {
    const id = await report('hook', '{"hook":true}');
    await waitUntil(() => webhookBodies.some((b) => b.event_id === id), 20_000, 'webhook called');
    const body = webhookBodies.find((b) => b.event_id === id) ?? {};
    assert.equal((body.event as Json).topic_id, 'hook');
    assert.equal(Buffer.from(String((body.event as Json).data), 'base64').toString(), '{"hook":true}');
    assert.equal(body.retry_times ?? 0, 0);
  });

  await t.test('bad input gets clear errors and the services keep serving', async () => {
    const missing = await client.report({ event: { app_id: '', topic_id: 'order' } });
    assert.equal(missing.ret?.code, 10000);
    assert.match(missing.ret?.msg ?? '', /app_id/);
    const noEvent = await client.report({});
    assert.equal(noEvent.ret?.code, 10000);
    const big = await client
      .report({ event: { app_id: app, topic_id: 'order', data: Buffer.alloc(2 * 1024 * 1024, 1) } })
      .catch((err: Error) => ({ ret: { code: -1, msg: err.message } }));
    assert.notEqual(big.ret?.code ?? 0, 0, 'oversize data is refused');
    const badJson = await fetch(`http://127.0.0.1:${stack.port('producer', 'http')}/v1/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"event":',
    });
    assert.equal(badJson.status, 400);
    const after = await report('order', '{"still":"alive"}');
    await waitUntil(() => received.some((r) => r.event_id === after), 20_000, 'delivered after bad input');
  });
});
