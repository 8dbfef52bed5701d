// ServerTls and ClientTlsStore against real TLS handshakes with certificates made at test time.
import { strict as assert } from 'node:assert';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { ClientTlsStore, ServerTls, loadServerTlsConfig, silentLogger, TlsErrorCode, type TlsServerOptions } from '../src/index.ts';
import { createTestCa, writeTestFiles, type Pem } from '../src/tls/test-certs.ts';

const ca = await createTestCa();
const serverPem = await ca.server();
const clientPem = await ca.client();

function serve(options: TlsServerOptions, tls: ServerTls): Promise<{ server: Server; port: number }> {
  const server = createServer(options, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(peer.subject === undefined ? 'anonymous' : `client ${String(peer.subject.CN)}`);
  });
  tls.attach(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

function get(port: number, options: { ca: string; client?: Pem }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: options.ca,
        ...(options.client === undefined ? {} : { cert: options.client.cert, key: options.client.key }),
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function peerCertificate(port: number, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('loadServerTlsConfig', () => {
  it('is off when no file is set, and refuses partial sets naming the variables', () => {
    assert.equal(loadServerTlsConfig({}), undefined);
    assert.throws(() => loadServerTlsConfig({ EY_TLS_CERT_FILE: '/c.pem' }), /EY_TLS_CERT_FILE and EY_TLS_KEY_FILE: set both or neither/);
    assert.throws(
      () => loadServerTlsConfig({ EY_TLS_CERT_FILE: '/c', EY_TLS_KEY_FILE: '/k', EY_TLS_REQUIRE_CLIENT_CERT: 'true' }),
      /EY_TLS_REQUIRE_CLIENT_CERT: needs EY_TLS_CLIENT_CA_FILE/,
    );
    assert.throws(() => loadServerTlsConfig({ EY_TLS_CLIENT_CA_FILE: '/ca' }), /EY_TLS_CLIENT_CA_FILE: needs EY_TLS_CERT_FILE/);
    assert.deepEqual(loadServerTlsConfig({ EY_TLS_CERT_FILE: '/c', EY_TLS_KEY_FILE: '/k', EY_TLS_CLIENT_CA_FILE: '/ca', EY_TLS_REQUIRE_CLIENT_CERT: 'true' }), {
      certFile: '/c',
      keyFile: '/k',
      clientCaFile: '/ca',
      requireClientCert: true,
      reloadIntervalMs: 10_000,
    });
  });

  it('refuses files that do not make a certificate pair, with a coded error naming the problem', () => {
    const other = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': clientPem.key });
    assert.throws(
      () =>
        new ServerTls({ certFile: join(other, 'tls.crt'), keyFile: join(other, 'tls.key'), requireClientCert: false, reloadIntervalMs: 1000 }, silentLogger()),
      (err: { code?: string; message: string }) => err.code === TlsErrorCode.invalidFiles && /do not make a TLS context/.test(err.message),
    );
    assert.throws(
      () =>
        new ServerTls(
          { certFile: join(other, 'missing.crt'), keyFile: join(other, 'tls.key'), requireClientCert: false, reloadIntervalMs: 1000 },
          silentLogger(),
        ),
      (err: { code?: string; message: string }) => err.code === TlsErrorCode.invalidFiles && /cannot read .*missing\.crt/.test(err.message),
    );
  });
});

describe('ServerTls on an https server', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((close) => close()));

  it('requires a client certificate from the CA when EY_TLS_REQUIRE_CLIENT_CERT is set', async () => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key, 'ca.crt': ca.cert });
    const tls = new ServerTls(
      { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), clientCaFile: join(dir, 'ca.crt'), requireClientCert: true, reloadIntervalMs: 60_000 },
      silentLogger(),
    );
    const { server, port } = await serve(tls.serverOptions(), tls);
    closers.push(
      () => server.close(),
      () => tls.close(),
    );
    assert.equal(await get(port, { ca: ca.cert, client: clientPem }), 'client eventyard-test-client');
    await assert.rejects(get(port, { ca: ca.cert }), /certificate|alert|socket hang up|ECONNRESET/i);
    const stranger = await (await createTestCa('Stranger CA')).client('stranger');
    await assert.rejects(get(port, { ca: ca.cert, client: stranger }), /certificate|alert|socket hang up|ECONNRESET/i);
  });

  it('serves rotated files to new connections without a restart (Kubernetes ..data symlink swap)', async () => {
    // The layout of a Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/.
    const root = writeTestFiles({});
    const first = join(root, '..v1');
    mkdirSync(first);
    writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key }, first);
    symlinkSync('..v1', join(root, '..data'));
    symlinkSync('..data/tls.crt', join(root, 'tls.crt'));
    symlinkSync('..data/tls.key', join(root, 'tls.key'));
    const tls = new ServerTls(
      { certFile: join(root, 'tls.crt'), keyFile: join(root, 'tls.key'), requireClientCert: false, reloadIntervalMs: 200 },
      silentLogger(),
    );
    const { server, port } = await serve(tls.serverOptions(), tls);
    closers.push(
      () => server.close(),
      () => tls.close(),
    );
    const before = await peerCertificate(port, ca.cert);

    const rotated = await ca.server(['rotated.example']);
    mkdirSync(join(root, '..v2'));
    writeTestFiles({ 'tls.crt': rotated.cert, 'tls.key': rotated.key }, join(root, '..v2'));
    symlinkSync('..v2', join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));

    let after = before;
    for (let i = 0; i < 50 && after.serialNumber === before.serialNumber; i++) {
      await sleep(100);
      after = await peerCertificate(port, ca.cert);
    }
    assert.notEqual(after.serialNumber, before.serialNumber, 'a new connection still sees the old certificate');
    assert.equal(after.subject.CN, 'rotated.example');
  });

  it('keeps serving the previous certificate when the new files are not a valid pair', async () => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key });
    const tls = new ServerTls(
      { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), requireClientCert: false, reloadIntervalMs: 60_000 },
      silentLogger(),
    );
    const { server, port } = await serve(tls.serverOptions(), tls);
    closers.push(
      () => server.close(),
      () => tls.close(),
    );
    writeFileSync(join(dir, 'tls.key'), clientPem.key); // half a rotation: the key no longer matches
    assert.equal(tls.check(), false);
    assert.equal(await get(port, { ca: ca.cert }), 'anonymous');
  });
});

describe('ClientTlsStore', () => {
  it('reads files once, and gives a new key when they change', () => {
    const dir = writeTestFiles({ 'ca.crt': ca.cert, 'tls.crt': clientPem.cert, 'tls.key': clientPem.key });
    let now = 0;
    const store = new ClientTlsStore({ checkIntervalMs: 1000, now: () => now });
    const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), serverName: 'svc.example' };
    const first = store.get(files);
    assert.equal(first.serverName, 'svc.example');
    assert.equal(first.material.ca?.toString(), ca.cert);
    now = 5000;
    assert.equal(store.get(files).key, first.key, 'unchanged files keep their key');
    writeFileSync(join(dir, 'ca.crt'), `${ca.cert}\n`);
    assert.equal(store.get(files).key, first.key, 'not checked again within checkIntervalMs');
    now = 7000;
    assert.notEqual(store.get(files).key, first.key);
    assert.throws(
      () => store.get({ caFile: join(dir, 'nope.crt') }),
      (err: { code?: string }) => err.code === TlsErrorCode.invalidFiles,
    );
  });
});
