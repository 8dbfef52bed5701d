// Check-backs over TLS: a producer config's `tls` (files made at test time) is used for its registered
// tx_address, towards an mTLS gRPC Callback server (verified by the address's name while the egress guard
// dials the checked IP) and an mTLS https endpoint; without the client certificate both refuse.
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { EgressGuard, silentLogger } from '@eventyard/core';
import { createTestCa, writeTestFiles } from '@eventyard/core/tls-testing';
import { getTransaction, prepareTransaction, upsertProducer, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { encodeMessage, loadEvhub, TxStatus, type CallbackReq__Output, type CallbackRsp } from '@eventyard/proto';
import { CallbackClient } from '../../src/tx-check/callback-client.ts';
import { TxChecker } from '../../src/tx-check/tx-checker.ts';

const ca = await createTestCa();
// Names only: a check against the dialled IP (127.0.0.1) would fail.
const serverPem = await ca.server(['localhost'], { onlyNames: true });
const clientPem = await ca.client('eventyard-delay-scheduler');
const dir = writeTestFiles({ 'ca.crt': ca.cert, 'tls.crt': clientPem.cert, 'tls.key': clientPem.key });
const TLS = { ca_file: join(dir, 'ca.crt'), cert_file: join(dir, 'tls.crt'), key_file: join(dir, 'tls.key') };
const EVENT = { app_id: 'app', topic_id: 'orders', data: Buffer.from('half'), event_comm: null };
let nextId = 8_000_000_000;

async function prepare(knex: Knex, callback: unknown): Promise<string> {
  const eventId = String(nextId++);
  await prepareTransaction(knex, {
    event_id: eventId,
    app_id: EVENT.app_id,
    topic_id: EVENT.topic_id,
    event: encodeMessage('evhub_comm.Event', EVENT),
    callback,
    callback_interval_ms: 0,
    broadcast: false,
  });
  return eventId;
}

async function poll(t: TestContext, knex: Knex): Promise<void> {
  const client = new CallbackClient(new EgressGuard());
  const checker = new TxChecker({
    knex,
    client,
    pollMs: 60_000,
    batchSize: 50,
    leaseMs: 10_000,
    maxAttempts: 10,
    backoffMaxMs: 60_000,
    logger: silentLogger(),
  });
  checker.start();
  t.after(async () => {
    await checker.close();
    client.close();
  });
  await checker.poll();
}

test('a registered check-back is dialled with its producer config tls: gRPC and https, mTLS', async (t) => {
  const { knex } = await createDatabase(t);
  const { evhubTransaction } = loadEvhub();
  const grpcServer = new grpc.Server();
  grpcServer.addService(evhubTransaction.service, {
    Callback: (_call: grpc.ServerUnaryCall<CallbackReq__Output, CallbackRsp>, callback: grpc.sendUnaryData<CallbackRsp>) =>
      callback(null, { tx_status: TxStatus.TX_STATUS_ROLLBACK }),
  });
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(ca.cert),
    [{ cert_chain: Buffer.from(serverPem.cert), private_key: Buffer.from(serverPem.key) }],
    true,
  );
  const grpcPort = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  t.after(() => grpcServer.forceShutdown());
  const https = createServer({ cert: serverPem.cert, key: serverPem.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"tx_status":"TX_STATUS_ROLLBACK"}'));
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  t.after(() => https.close());
  const grpcAddress = `localhost:${grpcPort}`;
  const httpAddress = `https://localhost:${(https.address() as AddressInfo).port}/tx`;

  // Registered without tls: plaintext gRPC against a TLS server, and https without the client certificate.
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: EVENT.topic_id, tx_address: grpcAddress });
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: 'refunds', tx_protocol_type: 5, tx_address: httpAddress, tls: { ca_file: TLS.ca_file } });
  const plainGrpc = await prepare(knex, { protocol_type: 1, address: grpcAddress, timeout_ms: 2000 });
  const noCertHttp = await prepare(knex, { protocol_type: 5, address: httpAddress, timeout_ms: 2000 });
  await poll(t, knex);
  for (const id of [plainGrpc, noCertHttp]) {
    const tx = await getTransaction(knex, id);
    assert.equal(tx?.status, 'prepare');
    assert.equal(tx?.check_attempts, 1, 'asked, and the handshake failed');
    assert.notEqual(tx?.last_check_error, null);
  }

  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: EVENT.topic_id, tx_address: grpcAddress, tls: TLS });
  await upsertProducer(knex, { app_id: EVENT.app_id, topic_id: 'refunds', tx_protocol_type: 5, tx_address: httpAddress, tls: TLS });
  const tlsGrpc = await prepare(knex, { protocol_type: 1, address: grpcAddress, timeout_ms: 2000 });
  const tlsHttp = await prepare(knex, { protocol_type: 5, address: httpAddress, timeout_ms: 2000 });
  await poll(t, knex);
  assert.equal((await getTransaction(knex, tlsGrpc))?.status, 'rollback', (await getTransaction(knex, tlsGrpc))?.last_check_error ?? '');
  assert.equal((await getTransaction(knex, tlsHttp))?.status, 'rollback', (await getTransaction(knex, tlsHttp))?.last_check_error ?? '');
});
