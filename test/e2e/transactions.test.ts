// Transactions over real processes (issue 6): Prepare → Commit delivers once with the same event_id;
// Prepare → Rollback never delivers; the 21001/21002 answers; and the delay-scheduler's check-backs
// against a producing service that answers COMMIT (gRPC), ROLLBACK (HTTP JSON), an unknown status, or
// is unreachable (the last two expire after EY_TX_CHECK_MAX_ATTEMPTS).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { getTransaction } from '@eventyard/db';
import { EventTriggerType, loadEvhub, ProtocolType, TxStatus, type CallbackReq__Output, type CallbackRsp } from '@eventyard/proto';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startStack, waitUntil } from './stack.ts';

const REAL_TIME = { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME };

test('transactions: commit, rollback, result codes and check-backs', async (t) => {
  // Check-backs every second, two inconclusive ones expire a transaction.
  const stack = await startStack(t, { env: { EY_TX_CHECK_POLL_MS: '200', EY_TX_CHECK_MAX_ATTEMPTS: '2' } });
  const collector = await startCollector(t);
  await registerProcessor(stack, { dispatcher_id: 'e2e-tx', app_id: 'shop', topic_id: 'tx', protocol_type: 'grpcSend', addr: collector.addr, timeout: 2000 });
  const client = producerClient(t, stack);
  await warmUp(client, [collector], 'shop', 'tx');
  const event = (data: string) => ({ app_id: 'shop', topic_id: 'tx', data: Buffer.from(data) });
  /** A Prepare whose own check-back (default interval 120 s) does not interfere. */
  const prepare = async (data: string, txCallback?: object) => {
    const rsp = await client.prepare({
      event: event(data),
      tx_callback: txCallback ?? { Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_GRPC, address: '127.0.0.1:1' } },
    });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    assert.equal(rsp.tx?.status, TxStatus.TX_STATUS_PREPARE);
    return rsp.tx?.event_id ?? '';
  };

  await t.test('Prepare → Commit delivers the event once, with the same event_id', async () => {
    const eventId = await prepare('committed');
    const commit = await client.commit({ event_id: eventId, trigger: REAL_TIME });
    assert.equal(commit.ret?.code ?? 0, 0, JSON.stringify(commit.ret));
    assert.deepEqual(commit.tx, { event_id: eventId, status: TxStatus.TX_STATUS_COMMIT });
    const delivered = await collector.waitFor(eventId, 60_000);
    assert.equal(delivered.data, 'committed');
  });

  await t.test('Prepare → Rollback delivers nothing; Commit afterwards → 21001 with ROLLBACK in tx', async () => {
    const eventId = await prepare('rolled back');
    const rollback = await client.rollback({ event_id: eventId });
    assert.equal(rollback.ret?.code ?? 0, 0, JSON.stringify(rollback.ret));
    assert.equal(rollback.tx?.status, TxStatus.TX_STATUS_ROLLBACK);
    const commit = await client.commit({ event_id: eventId, trigger: REAL_TIME });
    assert.equal(commit.ret?.code, 21001);
    assert.deepEqual(commit.tx, { event_id: eventId, status: TxStatus.TX_STATUS_ROLLBACK });
    assert.match(commit.ret?.msg ?? '', /ROLLBACK, not PREPARE/);
    // A later committed event is delivered; the rolled-back one never was and has nothing to publish.
    const marker = await prepare('marker');
    await client.commit({ event_id: marker, trigger: REAL_TIME });
    await collector.waitFor(marker);
    assert.ok(!collector.received.some((r) => r.event_id === eventId), 'a rolled-back event was delivered');
    assert.equal((await stack.knex('outbox').where({ event_id: eventId })).length, 0);
  });

  await t.test('Rollback of an unknown id → 21002 saying unknown; a second Rollback → 21002 saying not PREPARE', async () => {
    const known = await prepare('twice');
    const unknownId = (BigInt(known) + 1000n).toString();
    const unknown = await client.rollback({ event_id: unknownId });
    assert.equal(unknown.ret?.code, 21002);
    assert.match(unknown.ret?.msg ?? '', /unknown transaction/);
    assert.equal(unknown.tx?.event_id, unknownId);
    await client.rollback({ event_id: known });
    const again = await client.rollback({ event_id: known });
    assert.equal(again.ret?.code, 21002);
    assert.match(again.ret?.msg ?? '', /ROLLBACK, not PREPARE/);
  });

  await t.test('check-backs: COMMIT (gRPC) is committed and delivered; ROLLBACK (HTTP JSON) is rolled back; unknown and unreachable expire', async (st) => {
    // The producing service's gRPC Callback: COMMIT for "commit me", an unknown status otherwise.
    const asked: CallbackReq__Output[] = [];
    const { evhubTransaction } = loadEvhub();
    const server = new grpc.Server();
    server.addService(evhubTransaction.service, {
      Callback: (call: grpc.ServerUnaryCall<CallbackReq__Output, CallbackRsp>, callback: grpc.sendUnaryData<CallbackRsp>) => {
        asked.push(call.request);
        const commit = Buffer.from(call.request.event?.data ?? []).toString() === 'commit me';
        callback(null, commit ? { tx_status: TxStatus.TX_STATUS_COMMIT, trigger: REAL_TIME } : { tx_status: TxStatus.TX_STATUS_PREPARE });
      },
    });
    const grpcPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    st.after(() => server.forceShutdown());
    // The HTTP JSON (protocol_type 5) check-back answering ROLLBACK in EvHub's Go JSON.
    const http = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":{"code":0},"tx_status":3}'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    st.after(() => new Promise<void>((resolve) => http.close(() => resolve()) && http.closeAllConnections()));
    const httpPort = (http.address() as AddressInfo).port;

    const every = { seconds: 1 };
    const timeout = { seconds: 1 };
    const committed = await prepare('commit me', {
      Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_GRPC, address: `127.0.0.1:${grpcPort}`, timeout },
      callback_interval: every,
    });
    const rolledBack = await prepare('roll me back', {
      Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_HTTP_JSON, address: `127.0.0.1:${httpPort}/callback`, timeout },
      callback_interval: every,
    });
    const unknown = await prepare('no idea', {
      Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_GRPC, address: `127.0.0.1:${grpcPort}`, timeout },
      callback_interval: every,
    });
    const unreachable = await prepare('nobody home', {
      Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_GRPC, address: '127.0.0.1:1', timeout },
      callback_interval: every,
    });

    const delivered = await collector.waitFor(committed);
    assert.equal(delivered.data, 'commit me');
    const committedTx = asked.find((r) => r.tx?.event_id === committed);
    assert.equal(committedTx?.tx?.status, TxStatus.TX_STATUS_PREPARE, 'the check-back carries the half-event and PREPARE');
    assert.equal((await getTransaction(stack.knex, committed))?.status, 'commit');

    const statusOf = async (id: string) => (await getTransaction(stack.knex, id))?.status;
    await waitUntil(async () => (await statusOf(rolledBack)) === 'rollback', 20_000, 'the HTTP check-back rollback');
    await waitUntil(
      async () => (await statusOf(unknown)) === 'expired' && (await statusOf(unreachable)) === 'expired',
      30_000,
      'both inconclusive transactions to expire',
    );
    for (const id of [unknown, unreachable]) {
      const tx = await getTransaction(stack.knex, id);
      t.diagnostic(`expired ${id}: ${tx?.last_check_error ?? ''}`);
      assert.equal(tx?.check_attempts, 2);
      assert.match(tx?.last_check_error ?? '', /expired after 2 inconclusive check-backs/);
    }
    // Expired reads as ROLLBACK on the wire: a late Commit is refused.
    const late = await client.commit({ event_id: unknown, trigger: REAL_TIME });
    assert.equal(late.ret?.code, 21001);
    assert.equal(late.tx?.status, TxStatus.TX_STATUS_ROLLBACK);
    assert.equal(collector.received.filter((r) => r.event_id === committed).length, 1, 'committed once');
    assert.ok(!collector.received.some((r) => [rolledBack, unknown, unreachable].includes(r.event_id)), 'nothing else delivered');
  });
});
