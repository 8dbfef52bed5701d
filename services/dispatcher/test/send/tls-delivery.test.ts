// Deliveries over TLS with a processor's `tls` files (CA, client certificate for mTLS, server name),
// against a TLS gRPC Dispatch server and an https webhook, with certificates made at test time. The
// egress guard stays in place: gRPC dials the checked IP and still verifies the certificate by name.
import { CIRCUIT_BREAKER_DEFAULTS } from '@eventyard/evhub';
import { strict as assert } from 'node:assert';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { describe, it, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { EgressGuard } from '@eventyard/core';
import { createTestCa, writeTestFiles } from '@eventyard/core/tls-testing';
import { startDispatchServer } from '@eventyard/sdk';
import type { ProcessorSettings } from '../../src/processors/processor-settings.ts';
import { NO_RETRY_POLICY } from '../../src/retry/index.ts';
import { GrpcSender } from '../../src/send/grpc-sender.ts';
import { HttpSender } from '../../src/send/http-sender.ts';
import type { Sender } from '../../src/send/attempt-request.ts';

const ca = await createTestCa();
// Names only, no IP SAN: a certificate check against the dialled IP would fail.
const serverPem = await ca.server(['localhost', 'dispatch.test'], { onlyNames: true });
const clientPem = await ca.client('eventyard-dispatcher');
const files = writeTestFiles({ 'ca.crt': ca.cert, 'tls.crt': clientPem.cert, 'tls.key': clientPem.key });
const caFile = join(files, 'ca.crt');
const client = { certFile: join(files, 'tls.crt'), keyFile: join(files, 'tls.key') };

function settings(protocol: ProcessorSettings['protocol'], addr: string, tls: ProcessorSettings['tls']): ProcessorSettings {
  return {
    dispatcherId: `p-${JSON.stringify(tls)}`,
    version: 1,
    protocol,
    addr,
    timeoutMs: 3000,
    concurrency: 1,
    qps: 0,
    retry: NO_RETRY_POLICY,
    ordered: false,
    halted: false,
    breaker: CIRCUIT_BREAKER_DEFAULTS,
    webhookSecret: null,
    previousWebhookSecret: null,
    authToken: null,
    tls,
    transform: null,
    webhookFormat: 'evhub',
    problems: [],
  };
}

function send(sender: Sender, s: ProcessorSettings) {
  return sender.send({
    settings: s,
    req: {
      event_id: '7',
      event: { app_id: 'a', topic_id: 't', event_comm: null, data: Buffer.from('x') },
      retry_times: 0,
      repeat_times: 0,
      pass_back: Buffer.alloc(0),
    },
    messageId: 'msg_7',
    traceParent: '',
    signal: new AbortController().signal,
  });
}

async function startTlsDispatch(t: TestContext, requireClientCert: boolean) {
  const seen: string[] = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    credentials: grpc.ServerCredentials.createSsl(
      Buffer.from(ca.cert),
      [{ cert_chain: Buffer.from(serverPem.cert), private_key: Buffer.from(serverPem.key) }],
      requireClientCert,
    ),
    handler: async (req) => {
      seen.push(req.event_id);
      return { ret: { code: 0, msg: 'ok' } };
    },
  });
  t.after(() => server.close(0));
  return { port: server.port, seen };
}

describe('gRPC Dispatch over TLS', () => {
  it('verifies the server by the name in addr (or tls.server_name) while dialling the checked IP', async (t) => {
    const server = await startTlsDispatch(t, false);
    const sender = new GrpcSender(EgressGuard.loopbackOnly());
    t.after(() => sender.close());
    assert.equal((await send(sender, settings('grpcSend', `localhost:${server.port}`, { caFile }))).outcome, 'success');
    assert.equal((await send(sender, settings('grpcSend', `127.0.0.1:${server.port}`, { caFile, serverName: 'dispatch.test' }))).outcome, 'success');
    // The name the certificate does not carry, and a CA that did not sign it: refused.
    const wrongName = await send(sender, settings('grpcSend', `127.0.0.1:${server.port}`, { caFile, serverName: 'other.test' }));
    assert.equal(wrongName.outcome, 'failure');
    assert.equal((await send(sender, settings('grpcSend', `localhost:${server.port}`, {}))).outcome, 'failure', 'system CAs do not know the test CA');
    assert.equal(server.seen.length, 2);
  });

  it('presents the processor client certificate to an mTLS server; without one it is refused', async (t) => {
    const server = await startTlsDispatch(t, true);
    const sender = new GrpcSender(EgressGuard.loopbackOnly());
    t.after(() => sender.close());
    assert.equal((await send(sender, settings('grpcSend', `localhost:${server.port}`, { caFile, ...client }))).outcome, 'success');
    const anonymous = await send(sender, settings('grpcSend', `localhost:${server.port}`, { caFile }));
    assert.equal(anonymous.outcome, 'failure');
    assert.equal(anonymous.retriable, true);
  });

  it('unreadable TLS files fail the attempt with EY_TLS_FILES_INVALID, not retried', async (t) => {
    const sender = new GrpcSender(EgressGuard.loopbackOnly());
    t.after(() => sender.close());
    const outcome = await send(sender, settings('grpcSend', 'localhost:1', { caFile: join(files, 'missing.crt') }));
    assert.equal(outcome.errorCode, 'EY_TLS_FILES_INVALID');
    assert.equal(outcome.retriable, false);
    assert.match(outcome.errorMessage ?? '', /missing\.crt/);
  });
});

describe('https webhooks with a processor CA and client certificate', () => {
  it('delivers with the CA and client certificate; the shared agent and a missing certificate are refused', async (t) => {
    const clients: string[] = [];
    const server = createServer({ cert: serverPem.cert, key: serverPem.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      clients.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":{"code":0,"msg":"ok"}}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const { port } = server.address() as AddressInfo;
    const sender = new HttpSender({ egress: EgressGuard.loopbackOnly(), maxResponseBytes: 1024, connectionsPerOrigin: 2 });
    t.after(() => sender.close());

    const ok = await send(sender, settings('httpSend', `https://localhost:${port}/hook`, { caFile, ...client }));
    assert.equal(ok.outcome, 'success', JSON.stringify(ok));
    assert.deepEqual(clients, ['eventyard-dispatcher']);
    assert.equal(
      (await send(sender, settings('httpSend', `https://127.0.0.1:${port}/hook`, { caFile, ...client, serverName: 'dispatch.test' }))).outcome,
      'success',
    );
    assert.equal((await send(sender, settings('httpSend', `https://localhost:${port}/hook`, null))).outcome, 'failure', 'system CAs do not know the test CA');
    assert.equal((await send(sender, settings('httpSend', `https://localhost:${port}/hook`, { caFile }))).outcome, 'failure', 'mTLS: no client certificate');
    assert.equal(clients.length, 2);
  });
});
