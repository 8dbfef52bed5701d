// Certificates made at test time (no openssl on the path needed): a CA, server certificates for
// 127.0.0.1/localhost and client certificates it signs, as PEM, and files to serve them from.
// ECDSA P-256 keys: generated in milliseconds.
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCa extends Pem {
  /**
   * A certificate for a server at 127.0.0.1, ::1 and localhost (and `names`), signed by this CA;
   * with `onlyNames`, for `names` alone (to tell verification by name from verification by IP).
   */
  server(names?: string[], options?: { onlyNames?: boolean }): Promise<Pem>;
  /** A client certificate (clientAuth) with common name `name`, signed by this CA. */
  client(name?: string): Promise<Pem>;
}

let serial = 1;

async function toPem(keys: CryptoKeyPair, cert: x509.X509Certificate): Promise<Pem> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 24 * 3600_000) });

/** A new self-signed CA. */
export async function createTestCa(name = 'Eventyard Test CA'): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALG,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const issue = async (subject: string, usage: string, san: x509.JsonGeneralName[]): Promise<Pem> => {
    const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject: `CN=${subject}`,
      issuer: caCert.subject,
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: ALG,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(san.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(san)]),
      ],
    });
    return toPem(leafKeys, cert);
  };
  return {
    ...(await toPem(keys, caCert)),
    server: (names = [], options = {}) =>
      issue(names[0] ?? 'localhost', x509.ExtendedKeyUsage.serverAuth, [
        ...(options.onlyNames === true
          ? []
          : [
              { type: 'ip' as const, value: '127.0.0.1' },
              { type: 'ip' as const, value: '::1' },
              { type: 'dns' as const, value: 'localhost' },
            ]),
        ...names.map((value) => ({ type: 'dns' as const, value })),
      ]),
    client: (name = 'eventyard-test-client') => issue(name, x509.ExtendedKeyUsage.clientAuth, []),
  };
}

/** A new temp directory holding `files` (name → content). */
export function writeTestFiles(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'ey-tls-'))): string {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export interface HttpsCall {
  method?: string;
  body?: string;
  /** PEM CA the server certificate must chain to. */
  ca: string;
  /** Client certificate for mTLS. */
  client?: Pem;
  /** Extra request headers (an admin token, say). */
  headers?: Record<string, string>;
}

/** One HTTPS request on a fresh connection; resolves with status and body text, rejects on a failed handshake. */
export function httpsCall(url: string, call: HttpsCall): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: call.method ?? 'GET',
        ca: call.ca,
        agent: false,
        ...(call.client === undefined ? {} : { cert: call.client.cert, key: call.client.key }),
        headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

/** The certificate a TLS server at 127.0.0.1:port presents to a new connection (ALPN h2 for gRPC servers). */
export function presentedCertificate(port: number, ca: string, alpn?: string[]): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...(alpn === undefined ? {} : { ALPNProtocols: alpn }) }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}
