// The producer's gRPC and HTTP listeners over TLS (EY_TLS_*): handshakes with a CA made at test time,
// mTLS refusing a client without a certificate, and a rotated certificate reaching new connections
// without a restart.
import { strict as assert } from 'node:assert';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { createReportClient } from '@eventyard/sdk';
import { createTestCa, httpsCall, presentedCertificate, writeTestFiles, type Pem } from '@eventyard/core/tls-testing';
import { startProducer } from '../fixture.ts';

const ca = await createTestCa();
const serverPem = await ca.server();
const clientPem = await ca.client();
const EVENT = { app_id: 'shop', topic_id: 'order', data: Buffer.from('{"n":1}') };

function grpcClient(port: number, client?: Pem) {
  const credentials = grpc.credentials.createSsl(
    Buffer.from(ca.cert),
    client === undefined ? null : Buffer.from(client.key),
    client === undefined ? null : Buffer.from(client.cert),
  );
  return createReportClient({ address: `localhost:${port}`, credentials, deadlineMs: 10_000 });
}

describe('producer listeners over TLS', () => {
  it('serves gRPC and HTTP over TLS and picks up a rotated certificate without a restart', async (t) => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key });
    const p = await startProducer(t, { EY_TLS_CERT_FILE: join(dir, 'tls.crt'), EY_TLS_KEY_FILE: join(dir, 'tls.key'), EY_TLS_RELOAD_INTERVAL_MS: '200' });
    const client = grpcClient(p.app.ports.grpc);
    t.after(() => client.close());
    const rsp = await client.report({ event: EVENT });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));

    const http = await httpsCall(`https://127.0.0.1:${p.app.ports.http}/v1/report`, {
      method: 'POST',
      body: JSON.stringify({ event: { app_id: 'shop', topic_id: 'order', data: 'e30=' } }),
      ca: ca.cert,
    });
    assert.equal(http.status, 200, http.body);
    assert.equal((JSON.parse(http.body) as { ret: { code: number } }).ret.code, 0);
    // Plaintext HTTP is not served any more.
    await assert.rejects(fetch(`http://127.0.0.1:${p.app.ports.http}/v1/report`, { method: 'POST', body: '{}' }));

    const before = { grpc: await presentedCertificate(p.app.ports.grpc, ca.cert, ['h2']), http: await presentedCertificate(p.app.ports.http, ca.cert) };
    assert.equal(before.grpc.serialNumber, before.http.serialNumber);
    // cert-manager's way: new files written beside, then renamed over (each file atomically).
    const rotated = await ca.server(['rotated.example']);
    writeFileSync(join(dir, 'tls.key.new'), rotated.key);
    writeFileSync(join(dir, 'tls.crt.new'), rotated.cert);
    renameSync(join(dir, 'tls.key.new'), join(dir, 'tls.key'));
    renameSync(join(dir, 'tls.crt.new'), join(dir, 'tls.crt'));
    let grpcAfter = before.grpc;
    for (let i = 0; i < 50 && grpcAfter.subject.CN !== 'rotated.example'; i++) {
      await sleep(100);
      grpcAfter = await presentedCertificate(p.app.ports.grpc, ca.cert, ['h2']);
    }
    assert.equal(grpcAfter.subject.CN, 'rotated.example', 'gRPC: new connections still see the old certificate');
    assert.equal((await presentedCertificate(p.app.ports.http, ca.cert)).subject.CN, 'rotated.example', 'HTTP: new connections still see the old certificate');
    const fresh = grpcClient(p.app.ports.grpc);
    t.after(() => fresh.close());
    assert.equal((await fresh.report({ event: EVENT })).ret?.code ?? 0, 0);
  });

  it('with EY_TLS_REQUIRE_CLIENT_CERT refuses clients without a certificate from EY_TLS_CLIENT_CA_FILE', async (t) => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key, 'ca.crt': ca.cert });
    const p = await startProducer(t, {
      EY_TLS_CERT_FILE: join(dir, 'tls.crt'),
      EY_TLS_KEY_FILE: join(dir, 'tls.key'),
      EY_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
      EY_TLS_REQUIRE_CLIENT_CERT: 'true',
    });
    const withCert = grpcClient(p.app.ports.grpc, clientPem);
    const anonymous = grpcClient(p.app.ports.grpc);
    t.after(() => {
      withCert.close();
      anonymous.close();
    });
    assert.equal((await withCert.report({ event: EVENT })).ret?.code ?? 0, 0);
    await assert.rejects(
      anonymous.report({ event: EVENT }, { deadlineMs: 3000 }),
      (err: { code?: number }) => err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED,
    );

    const url = `https://127.0.0.1:${p.app.ports.http}/v1/report`;
    const body = JSON.stringify({ event: { app_id: 'shop', topic_id: 'order', data: 'e30=' } });
    assert.equal((await httpsCall(url, { method: 'POST', body, ca: ca.cert, client: clientPem })).status, 200);
    await assert.rejects(httpsCall(url, { method: 'POST', body, ca: ca.cert }), /certificate|alert|socket hang up|ECONNRESET/i);
  });
});
