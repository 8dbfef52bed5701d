// The Dispatch server helper as a consumer uses it: a real grpc-js client calls Dispatch on it (typed
// request in, response or status error out), and the webhook handler serves real HTTP with signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { loadEvhub, type DispatchReq__Output, type DispatchRsp__Output } from '@eventyard/proto';
import { createWebhookHandler, parseDispatchReq, startDispatchServer } from '../src/dispatch-server.ts';

function dispatch(port: number, req: object): Promise<DispatchRsp__Output> {
  const { evhubProcessor } = loadEvhub();
  const client = new evhubProcessor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise<DispatchRsp__Output>((resolve, reject) => {
    const metadata = new grpc.Metadata();
    metadata.set('webhook-id', 'msg_1');
    client.Dispatch(req, metadata, { deadline: Date.now() + 5000 }, (err, rsp) => {
      client.close();
      if (err !== null) reject(err);
      else resolve(rsp as DispatchRsp__Output);
    });
  });
}

test('Dispatch over gRPC: the handler gets the typed request and its answer goes back', async (t) => {
  const seen: Array<{ req: DispatchReq__Output; id: string | undefined }> = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req, context) => {
      seen.push({ req, id: context.headers['webhook-id'] });
      return { ret: { code: 500, msg: 'try again' }, pass_back: Buffer.from('cursor-7') };
    },
  });
  t.after(() => server.close());
  assert.ok(server.port > 0);
  const rsp = await dispatch(server.port, {
    event_id: '42',
    event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{"n":1}') },
    retry_times: 2,
    repeat_times: 1,
    pass_back: Buffer.from('prev'),
  });
  assert.equal(rsp.ret?.code, 500);
  assert.equal(rsp.ret?.msg, 'try again');
  assert.equal(rsp.pass_back.toString(), 'cursor-7');
  const first = seen[0];
  assert.ok(first !== undefined);
  assert.equal(first.req.event_id, '42');
  assert.equal(first.req.event?.app_id, 'shop');
  assert.equal(first.req.event?.data.toString(), '{"n":1}');
  assert.equal(first.req.retry_times, 2);
  assert.equal(first.req.repeat_times, 1);
  assert.equal(first.req.pass_back.toString(), 'prev');
  assert.equal(first.id, 'msg_1');
});

test('a throwing handler answers a gRPC status error (its own code when it has one)', async (t) => {
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req) => {
      if (req.event_id === 'unavailable') throw Object.assign(new Error('down for maintenance'), { code: grpc.status.UNAVAILABLE });
      throw new Error('boom');
    },
  });
  t.after(() => server.close());
  await assert.rejects(dispatch(server.port, { event_id: 'x' }), (err: grpc.ServiceError) => err.code === grpc.status.INTERNAL && err.details === 'boom');
  await assert.rejects(dispatch(server.port, { event_id: 'unavailable' }), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
});

test('close() frees the port', async () => {
  const server = await startDispatchServer({ host: '127.0.0.1', handler: () => ({}) });
  await server.close();
  await assert.rejects(dispatch(server.port, { event_id: '1' }));
});

async function startWebhook(t: { after(fn: () => Promise<void>): void }, listener: ReturnType<typeof createWebhookHandler>): Promise<string> {
  const http = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => http.close(() => resolve())));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
}

const GO_JSON_REQ = JSON.stringify({
  event_id: '7',
  event: {
    app_id: 'shop',
    topic_id: 'order',
    event_comm: { event_source: { source: 'svc', qua: 'q', create_time: { seconds: 1700000000, nanos: 5 } }, event_tag: { tag_list: ['vip'] } },
    data: Buffer.from('payload').toString('base64'),
  },
  retry_times: 1,
  repeat_times: 0,
  pass_back: Buffer.from('pb').toString('base64'),
});

test('webhook handler: Go-struct JSON in, JSON DispatchRsp out', async (t) => {
  const seen: DispatchReq__Output[] = [];
  const url = await startWebhook(
    t,
    createWebhookHandler((req) => {
      seen.push(req);
      return { ret: { code: 30000, msg: 'stop' }, pass_back: Buffer.from('next') };
    }),
  );
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: GO_JSON_REQ });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ret: { code: 30000, msg: 'stop' }, pass_back: Buffer.from('next').toString('base64') });
  const req = seen[0];
  assert.equal(req?.event_id, '7');
  assert.equal(req?.event?.data.toString(), 'payload');
  assert.deepEqual(req?.event?.event_comm?.event_tag?.tag_list, ['vip']);
  assert.equal(req?.event?.event_comm?.event_source?.create_time?.seconds, '1700000000');
  assert.equal(req?.retry_times, 1);
  assert.equal(req?.pass_back.toString(), 'pb');

  const bad = await fetch(url, { method: 'POST', body: '{"event_id":' });
  assert.equal(bad.status, 400);
});

test('webhook handler with a secret accepts a valid Standard Webhooks signature and refuses others', async (t) => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  let calls = 0;
  const url = await startWebhook(
    t,
    createWebhookHandler(
      () => {
        calls++;
        return { ret: { code: 0, msg: '' } };
      },
      { secret },
    ),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`msg_7.${timestamp}.${GO_JSON_REQ}`).digest('base64');
  const ok = await fetch(url, {
    method: 'POST',
    headers: { 'webhook-id': 'msg_7', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,bogus v1,${signature}` },
    body: GO_JSON_REQ,
  });
  assert.equal(ok.status, 200);
  const tampered = await fetch(url, {
    method: 'POST',
    headers: { 'webhook-id': 'msg_7', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
    body: GO_JSON_REQ.replace('"retry_times":1', '"retry_times":2'),
  });
  assert.equal(tampered.status, 401);
  const unsigned = await fetch(url, { method: 'POST', body: GO_JSON_REQ });
  assert.equal(unsigned.status, 401);
  assert.equal(calls, 1);
});

test('parseDispatchReq also reads proto3 JSON (camelCase)', () => {
  const req = parseDispatchReq(JSON.stringify({ eventId: '9', event: { appId: 'a', topicId: 't', data: 'AQI=' }, retryTimes: '3', passBack: 'eA==' }));
  assert.equal(req.event_id, '9');
  assert.equal(req.event?.app_id, 'a');
  assert.deepEqual([...(req.event?.data ?? [])], [1, 2]);
  assert.equal(req.retry_times, 3);
  assert.equal(req.pass_back.toString(), 'x');
});
