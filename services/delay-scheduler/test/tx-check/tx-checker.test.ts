// Transaction check-backs against a real database and real Callback servers: a grpc-js server with the
// loaded evhubTransaction definition and an HTTP server on 127.0.0.1, both on port 0.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { EgressGuard, silentLogger, Topics } from '@eventyard/core';
import { getTransaction, prepareTransaction, upsertProducer, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { decodeMessage, encodeMessage, EventTriggerType, loadEvhub, TxStatus, type CallbackReq__Output, type CallbackRsp } from '@eventyard/proto';
import { CallbackClient } from '../../src/tx-check/callback-client.ts';
import { backoffMs, TxChecker } from '../../src/tx-check/tx-checker.ts';

let nextId = 7_000_000_000;
const EVENT = { app_id: 'app', topic_id: 'orders', data: Buffer.from('half-event'), event_comm: null };

async function prepare(knex: Knex, callback: unknown, intervalMs = 0, broadcast = false): Promise<string> {
  const eventId = String(nextId++);
  await prepareTransaction(knex, {
    event_id: eventId,
    app_id: EVENT.app_id,
    topic_id: EVENT.topic_id,
    event: encodeMessage('evhub_comm.Event', EVENT),
    callback,
    callback_interval_ms: intervalMs,
    broadcast,
  });
  return eventId;
}

/** A checker whose guard allows loopback (as `eventyard dev`), unless the test gives another. */
function checker(t: TestContext, knex: Knex, options: { maxAttempts?: number; egress?: EgressGuard } = {}): TxChecker {
  const client = new CallbackClient(options.egress ?? EgressGuard.loopbackOnly());
  const result = new TxChecker({
    knex,
    client,
    pollMs: 60_000,
    batchSize: 50,
    leaseMs: 10_000,
    maxAttempts: options.maxAttempts ?? 10,
    backoffMaxMs: 60_000,
    logger: silentLogger(),
  });
  result.start();
  t.after(async () => {
    await result.close();
    client.close();
  });
  return result;
}

/** A gRPC Callback server answering with `answer(req)`; records every request. */
async function grpcCallbackServer(
  t: TestContext,
  answer: (req: CallbackReq__Output) => CallbackRsp | 'hang',
): Promise<{ address: string; requests: CallbackReq__Output[] }> {
  const { evhubTransaction } = loadEvhub();
  const server = new grpc.Server();
  const requests: CallbackReq__Output[] = [];
  server.addService(evhubTransaction.service, {
    Callback: (call: grpc.ServerUnaryCall<CallbackReq__Output, CallbackRsp>, callback: grpc.sendUnaryData<CallbackRsp>) => {
      requests.push(call.request);
      const rsp = answer(call.request);
      if (rsp !== 'hang') callback(null, rsp);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, requests };
}

/** An HTTP server answering every POST with `status` and `body`; records the JSON bodies. */
async function httpCallbackServer(
  t: TestContext,
  status: number,
  body: unknown,
): Promise<{ address: string; requests: Array<{ url: string; contentType: string; json: unknown }> }> {
  const requests: Array<{ url: string; contentType: string; json: unknown }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        url: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}/tx/callback`, requests };
}

async function outboxRows(knex: Knex, eventId: string): Promise<Array<{ topic: string; value: Buffer; headers: Record<string, string> }>> {
  return (await knex('outbox').where({ event_id: eventId }).select('topic', 'value', 'headers')) as Array<{
    topic: string;
    value: Buffer;
    headers: Record<string, string>;
  }>;
}

test('backoff doubles the callback interval per inconclusive check-back, capped', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffMs(1000, n, 10_000)),
    [1000, 2000, 4000, 8000, 10_000],
  );
  assert.equal(backoffMs(0, 1, 10_000), 1, 'a zero interval still waits');
  assert.equal(backoffMs(120_000, 100, 3_600_000), 3_600_000, 'huge attempt counts do not overflow');
});

test('gRPC COMMIT: committed with the returned trigger, the record Report would publish is in the outbox', async (t) => {
  const { knex } = await createDatabase(t);
  const server = await grpcCallbackServer(t, () => ({
    tx_status: TxStatus.TX_STATUS_COMMIT,
    trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME },
  }));
  const eventId = await prepare(knex, { protocol_type: 1, address: server.address, timeout_ms: 2000 });
  await checker(t, knex).poll();

  const [req] = server.requests;
  assert.ok(req !== undefined, 'the Callback server was asked');
  assert.equal(req.tx?.event_id, eventId);
  assert.equal(req.tx?.status, TxStatus.TX_STATUS_PREPARE);
  assert.equal(req.event?.app_id, 'app');
  assert.equal(req.event?.data.toString(), 'half-event');

  const tx = await getTransaction(knex, eventId);
  assert.equal(tx?.status, 'commit');
  assert.deepEqual(tx?.trigger, {
    trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME,
    delay_trigger: null,
    repeat_trigger: null,
    delay_process_trigger_list: [],
  });
  const rows = await outboxRows(knex, eventId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.topic, Topics.ingest);
  assert.equal(rows[0]?.headers['ey-event-id'], eventId);
  const envelope = decodeMessage('eventyard.v1.IngestEnvelope', rows[0]?.value ?? Buffer.alloc(0));
  assert.equal(envelope.event_id, eventId);
  assert.equal(envelope.event?.data.toString(), 'half-event');
  assert.equal(envelope.broadcast, false);

  // A transaction prepared as a broadcast (authorised by the producer at Prepare) is published as one.
  const broadcastId = await prepare(knex, { protocol_type: 1, address: server.address, timeout_ms: 2000 }, 0, true);
  await checker(t, knex).poll();
  const [broadcastRow] = await outboxRows(knex, broadcastId);
  assert.equal(decodeMessage('eventyard.v1.IngestEnvelope', broadcastRow?.value ?? Buffer.alloc(0)).broadcast, true);
});

test('gRPC COMMIT with a delay trigger goes to the schedule topic; a null trigger is real-time', async (t) => {
  const { knex } = await createDatabase(t);
  const answers = new Map<string, CallbackRsp>();
  const server = await grpcCallbackServer(t, (req) => answers.get(req.tx?.event_id ?? '') ?? {});
  const delayed = await prepare(knex, { protocol_type: 1, address: server.address, timeout_ms: 2000 }, 60_000);
  const realTime = await prepare(knex, { protocol_type: 1, address: server.address, timeout_ms: 2000 }, 60_000);
  answers.set(delayed, {
    tx_status: TxStatus.TX_STATUS_COMMIT,
    trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger: { delay_time: { seconds: 60 } } },
  });
  answers.set(realTime, { tx_status: TxStatus.TX_STATUS_COMMIT });
  await knex('transactions').update({ next_check_at: knex.fn.now() });
  await checker(t, knex).poll();
  assert.equal((await outboxRows(knex, delayed))[0]?.topic, Topics.schedule);
  assert.equal((await outboxRows(knex, realTime))[0]?.topic, Topics.ingest);
});

test('gRPC ROLLBACK: rolled back, nothing in the outbox', async (t) => {
  const { knex } = await createDatabase(t);
  const server = await grpcCallbackServer(t, () => ({ tx_status: TxStatus.TX_STATUS_ROLLBACK }));
  const eventId = await prepare(knex, { protocol_type: 0, address: `ip://${server.address}`, timeout_ms: 2000 });
  await checker(t, knex).poll();
  assert.equal((await getTransaction(knex, eventId))?.status, 'rollback');
  assert.equal((await outboxRows(knex, eventId)).length, 0);
});

test('HTTP JSON (protocol_type 5): POSTs EvHub Go-struct JSON; Go-JSON COMMIT and canonical-JSON ROLLBACK answers both work', async (t) => {
  const { knex } = await createDatabase(t);
  const commits = await httpCallbackServer(t, 200, { ret: { code: 0 }, tx_status: 2, trigger: { trigger_type: 1 } });
  const rollbacks = await httpCallbackServer(t, 200, { txStatus: 'TX_STATUS_ROLLBACK' });
  const committed = await prepare(knex, { protocol_type: 5, address: commits.address, timeout_ms: 2000 });
  const rolledBack = await prepare(knex, { protocol_type: 5, address: `http://${rollbacks.address}`, timeout_ms: 2000 });
  await checker(t, knex).poll();

  assert.equal((await getTransaction(knex, committed))?.status, 'commit');
  assert.equal((await outboxRows(knex, committed)).length, 1);
  assert.equal((await getTransaction(knex, rolledBack))?.status, 'rollback');
  const [req] = commits.requests;
  assert.equal(req?.url, '/tx/callback');
  assert.match(req?.contentType ?? '', /application\/json/);
  assert.deepEqual(req?.json, {
    event: { app_id: 'app', topic_id: 'orders', data: Buffer.from('half-event').toString('base64') },
    tx: { event_id: committed, status: 1 },
  });
});

test('unknown answer, error status, ret.code and an invalid trigger are inconclusive: next check after the backoff, error recorded', async (t) => {
  const { knex } = await createDatabase(t);
  const unknown = await grpcCallbackServer(t, () => ({ tx_status: TxStatus.TX_STATUS_PREPARE }));
  const failing = await grpcCallbackServer(t, () => ({ ret: { code: 20005, msg: 'db down' }, tx_status: TxStatus.TX_STATUS_COMMIT }));
  const badTrigger = await grpcCallbackServer(t, () => ({
    tx_status: TxStatus.TX_STATUS_COMMIT,
    trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT },
  }));
  const http500 = await httpCallbackServer(t, 500, { oops: true });
  const ids = {
    unknown: await prepare(knex, { protocol_type: 1, address: unknown.address, timeout_ms: 2000 }, 5000),
    failing: await prepare(knex, { protocol_type: 1, address: failing.address, timeout_ms: 2000 }, 5000),
    badTrigger: await prepare(knex, { protocol_type: 1, address: badTrigger.address, timeout_ms: 2000 }, 5000),
    http500: await prepare(knex, { protocol_type: 5, address: http500.address, timeout_ms: 2000 }, 5000),
  };
  // Due now (the interval only sets the backoff base here).
  await knex('transactions').update({ next_check_at: knex.fn.now() });
  const before = Date.now();
  await checker(t, knex).poll();
  const errors: Record<string, RegExp> = {
    unknown: /tx_status 1/,
    failing: /ret\.code 20005: db down/,
    badTrigger: /invalid trigger.*repeat_trigger/,
    http500: /status 500/,
  };
  for (const [name, eventId] of Object.entries(ids)) {
    const tx = await getTransaction(knex, eventId);
    assert.equal(tx?.status, 'prepare', name);
    assert.equal(tx?.check_attempts, 1, name);
    assert.match(tx?.last_check_error ?? '', errors[name] ?? /never/, name);
    const waitMs = (tx?.next_check_at?.getTime() ?? 0) - before;
    assert.ok(waitMs > 4000 && waitMs < 60_000, `${name}: next check in ${waitMs} ms, expected about the 5 s interval`);
    assert.equal((await outboxRows(knex, eventId)).length, 0, name);
  }
});

test('an unreachable or silent endpoint is retried and, after EY_TX_CHECK_MAX_ATTEMPTS, expired with the last error', async (t) => {
  const { knex } = await createDatabase(t);
  const silent = await grpcCallbackServer(t, () => 'hang');
  // A port nothing listens on: bind a server, note its port, close it.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const unreachable = await prepare(knex, { protocol_type: 5, address: `127.0.0.1:${deadPort}/cb`, timeout_ms: 1000 }, 1);
  const hanging = await prepare(knex, { protocol_type: 1, address: silent.address, timeout_ms: 150 }, 1);
  const txChecker = checker(t, knex, { maxAttempts: 3 });
  const deadline = Date.now() + 15_000;
  for (;;) {
    await txChecker.poll();
    const statuses = await Promise.all([unreachable, hanging].map(async (id) => (await getTransaction(knex, id))?.status));
    if (statuses.every((s) => s === 'expired')) break;
    assert.ok(Date.now() < deadline, `still ${statuses.join(', ')} after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const a = await getTransaction(knex, unreachable);
  assert.equal(a?.check_attempts, 3);
  assert.match(a?.last_check_error ?? '', /expired after 3 inconclusive check-backs; last: .*(ECONNREFUSED|connect)/i);
  const b = await getTransaction(knex, hanging);
  assert.equal(b?.check_attempts, 3);
  assert.match(b?.last_check_error ?? '', /expired after 3 .*(deadline|DEADLINE)/i);
  assert.equal(silent.requests.length, 3, 'the silent server was asked once per attempt');
  assert.equal((await outboxRows(knex, hanging)).length, 0);
});

test('a transaction resolved by the producer meanwhile is left alone; no endpoint stored is inconclusive', async (t) => {
  const { knex } = await createDatabase(t);
  const server = await grpcCallbackServer(t, () => ({ tx_status: TxStatus.TX_STATUS_COMMIT }));
  const eventId = await prepare(knex, { protocol_type: 1, address: server.address, timeout_ms: 2000 });
  const noEndpoint = await prepare(knex, null, 1000);
  await knex('transactions').where({ event_id: noEndpoint }).update({ next_check_at: knex.fn.now() });
  const [claimed] = (await knex('transactions').where({ event_id: eventId })) as Array<NonNullable<Awaited<ReturnType<typeof getTransaction>>>>;
  assert.ok(claimed);
  // Resolved by a Rollback at the producer after this check-back was claimed.
  await knex('transactions').where({ event_id: eventId }).update({ status: 'rollback' });
  const txChecker = checker(t, knex);
  assert.equal(await txChecker.check(claimed), 'resolved_elsewhere');
  assert.equal((await outboxRows(knex, eventId)).length, 0);
  await txChecker.poll();
  assert.match((await getTransaction(knex, noEndpoint))?.last_check_error ?? '', /no check-back address/);
});

test('egress: an address the app did not register must pass the full guard; a registered one may be private, never metadata', async (t) => {
  const { knex } = await createDatabase(t);
  const grpcServer = await grpcCallbackServer(t, () => ({ tx_status: TxStatus.TX_STATUS_ROLLBACK }));
  const httpServer = await httpCallbackServer(t, 200, { tx_status: 'TX_STATUS_ROLLBACK' });
  // Production guard: nothing allowed beyond the defaults; the servers listen on loopback.
  const strict = new EgressGuard();
  // Unregistered (a client put it in Prepare): refused before any connection, by literal and by a name a
  // test-controlled resolver points at 10.x (no traffic to it).
  const viaName = new EgressGuard({ resolve: () => Promise.resolve([{ address: '10.1.2.3', family: 4 }]) });
  const unregisteredGrpc = await prepare(knex, { protocol_type: 1, address: grpcServer.address, timeout_ms: 1000 });
  const unregisteredHttp = await prepare(knex, { protocol_type: 5, address: httpServer.address, timeout_ms: 1000 });
  await checker(t, knex, { egress: strict }).poll();
  for (const id of [unregisteredGrpc, unregisteredHttp]) {
    const tx = await getTransaction(knex, id);
    assert.equal(tx?.status, 'prepare', 'inconclusive: asked again after the backoff');
    assert.match(tx?.last_check_error ?? '', /egress refused: 127\.0\.0\.1 is a loopback address \(class loopback\)/);
  }
  assert.equal(grpcServer.requests.length + httpServer.requests.length, 0, 'no check-back reached either server');
  const named = await prepare(knex, { protocol_type: 1, address: 'checkback.example.com:9000', timeout_ms: 1000 });
  await checker(t, knex, { egress: viaName }).poll();
  assert.match((await getTransaction(knex, named))?.last_check_error ?? '', /checkback\.example\.com resolves to 10\.1\.2\.3, which is a private address/);

  // Registered by the app's producer configs (tx_address): dialled although loopback.
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: EVENT.topic_id, tx_address: ` ${grpcServer.address} ` });
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: 'refunds', tx_protocol_type: 5, tx_address: httpServer.address });
  const registeredGrpc = await prepare(knex, { protocol_type: 1, address: grpcServer.address, timeout_ms: 1000 });
  const registeredHttp = await prepare(knex, { protocol_type: 5, address: httpServer.address, timeout_ms: 1000 });
  await checker(t, knex, { egress: strict }).poll();
  assert.equal((await getTransaction(knex, registeredGrpc))?.status, 'rollback');
  assert.equal((await getTransaction(knex, registeredHttp))?.status, 'rollback');
  // Another app's registration does not count, and a registered metadata address stays refused.
  await upsertProducer(knex, { app_id: 'other-app', topic_id: 'x', tx_address: '10.9.9.9:9000' });
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: 'meta', tx_address: '169.254.169.254:80' });
  const otherApps = await prepare(knex, { protocol_type: 1, address: '10.9.9.9:9000', timeout_ms: 1000 });
  const metadata = await prepare(knex, { protocol_type: 1, address: '169.254.169.254:80', timeout_ms: 1000 });
  await checker(t, knex, { egress: strict }).poll();
  assert.match((await getTransaction(knex, otherApps))?.last_check_error ?? '', /10\.9\.9\.9 is a private address/);
  assert.match((await getTransaction(knex, metadata))?.last_check_error ?? '', /169\.254\.169\.254 is a cloud metadata service/);
});
