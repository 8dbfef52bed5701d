// createReportClient against a real grpc-js server implementing evhub_producer.evhubProducer from the
// same contract: what the client sends (request, API key, deadline, extra metadata) and how it returns
// answers and status errors. (The producer's own tests run this client against the real producer.)
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadEvhub, type ReportReq__Output } from '@eventyard/proto';
import { createReportClient } from '../src/report-client.ts';

interface Seen {
  method: string;
  request: unknown;
  metadata: grpc.Metadata;
  deadline: grpc.Deadline;
}

async function startFakeProducer(t: TestContext, behaviour: { delayMs?: number; fail?: grpc.status } = {}): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = new grpc.Server();
  const unary =
    (method: string, answer: (request: unknown) => unknown): grpc.handleUnaryCall<unknown, unknown> =>
    (call, callback) => {
      seen.push({ method, request: call.request, metadata: call.metadata, deadline: call.getDeadline() });
      setTimeout(() => {
        if (behaviour.fail !== undefined) callback({ code: behaviour.fail, details: 'refused by test' });
        else callback(null, answer(call.request));
      }, behaviour.delayMs ?? 0);
    };
  server.addService(loadEvhub().evhubProducer.service, {
    Report: unary('Report', (request) => {
      const missing = (request as ReportReq__Output).event === null;
      return { event_id: '42', ret: { code: missing ? 10000 : 0, msg: missing ? 'event is required' : '' } };
    }),
    Prepare: unary('Prepare', () => ({ ret: { code: 0, msg: '' }, tx: { event_id: '7', status: 1 } })),
    Commit: unary('Commit', (request) => ({ ret: { code: 0, msg: '' }, tx: { event_id: (request as { event_id: string }).event_id, status: 2 } })),
    Rollback: unary('Rollback', (request) => ({ ret: { code: 0, msg: '' }, tx: { event_id: (request as { event_id: string }).event_id, status: 3 } })),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err))),
  );
  t.after(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, seen };
}

test('report sends the request and returns EvHub’s response object, failures included', async (t) => {
  const fake = await startFakeProducer(t);
  const client = createReportClient({ address: fake.address });
  t.after(() => client.close());
  const ok = await client.report({
    event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{}') },
    trigger: { trigger_type: 'EVENT_TRIGGER_TYPE_DELAY', delay_trigger: { delay_time: { seconds: 5 } } },
    option: { orderingKey: 'k' },
  });
  assert.deepEqual(ok, { event_id: '42', ret: { code: 0, msg: '' } });
  const request = fake.seen[0]?.request as ReportReq__Output;
  assert.equal(request.event?.app_id, 'shop');
  assert.equal(request.event?.data.toString(), '{}');
  assert.equal(request.trigger?.trigger_type, 2);
  assert.deepEqual(request.trigger?.delay_trigger?.delay_time, { seconds: '5', nanos: 0 });
  assert.equal(request.option?.orderingKey, 'k');
  assert.equal(fake.seen[0]?.metadata.get('authorization').length, 0, 'no API key configured, none sent');
  const refused = await client.report({});
  assert.deepEqual(refused, { event_id: '42', ret: { code: 10000, msg: 'event is required' } });
});

test('prepare, commit and rollback reach their own methods', async (t) => {
  const fake = await startFakeProducer(t);
  const client = createReportClient({ address: fake.address });
  t.after(() => client.close());
  assert.deepEqual((await client.prepare({ event: { app_id: 'a', topic_id: 't' } })).tx, { event_id: '7', status: 1 });
  assert.deepEqual((await client.commit({ event_id: '7' })).tx, { event_id: '7', status: 2 });
  assert.deepEqual((await client.rollback({ event_id: '8' })).tx, { event_id: '8', status: 3 });
  assert.deepEqual(
    fake.seen.map((s) => s.method),
    ['Prepare', 'Commit', 'Rollback'],
  );
});

test('the API key travels as a Bearer token; extra metadata is kept', async (t) => {
  const fake = await startFakeProducer(t);
  const client = createReportClient({ address: fake.address, apiKey: 'eyk_abc_secret' });
  t.after(() => client.close());
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  await client.report({ event: { app_id: 'a', topic_id: 't' } }, { metadata });
  assert.deepEqual(fake.seen[0]?.metadata.get('authorization'), ['Bearer eyk_abc_secret']);
  assert.deepEqual(fake.seen[0]?.metadata.get('traceparent'), ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']);
  assert.equal(metadata.get('authorization').length, 0, "the caller's metadata object is not modified");
});

test('deadlines: the client default and a per-call override reach the server; a slow answer fails DEADLINE_EXCEEDED', async (t) => {
  const fake = await startFakeProducer(t, { delayMs: 1000 });
  const client = createReportClient({ address: fake.address, deadlineMs: 60_000 });
  t.after(() => client.close());
  await assert.rejects(client.report({ event: { app_id: 'a', topic_id: 't' } }, { deadlineMs: 100 }), { code: grpc.status.DEADLINE_EXCEEDED });
  await client.report({ event: { app_id: 'a', topic_id: 't' } });
  const [short, long] = fake.seen.map((s) => (s.deadline instanceof Date ? s.deadline.getTime() : s.deadline));
  assert.ok(Number.isFinite(short) && Number.isFinite(long), 'both calls carry a deadline');
  // 100 ms against 60 s: the override, not the default, went with the first call.
  assert.ok((long ?? 0) - (short ?? 0) > 30_000, `per-call ${short} vs default ${long}`);
});

test('gRPC status errors reject with the ServiceError; close() ends the channel', async (t) => {
  const fake = await startFakeProducer(t, { fail: grpc.status.UNAUTHENTICATED });
  const client = createReportClient({ address: fake.address });
  await assert.rejects(client.report({ event: { app_id: 'a', topic_id: 't' } }), { code: grpc.status.UNAUTHENTICATED, details: 'refused by test' });
  client.close();
  await assert.rejects(client.report({ event: { app_id: 'a', topic_id: 't' } }));
});
