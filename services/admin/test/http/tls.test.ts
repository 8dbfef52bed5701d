// The admin API over TLS (EY_TLS_*): an HTTPS handshake against a CA made at test time, mTLS refusing a
// client without a certificate, and a rotated certificate reaching new connections without a restart.
import { strict as assert } from 'node:assert';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestCa, httpsCall, presentedCertificate, writeTestFiles } from '@eventyard/core/tls-testing';
import { startAdmin, TEST_ADMIN_TOKEN } from '../fixture.ts';

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

const ca = await createTestCa();
const serverPem = await ca.server();
const clientPem = await ca.client();

describe('admin API over TLS', () => {
  it('serves HTTPS, and new connections get a rotated certificate without a restart', async (t) => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key });
    const admin = await startAdmin(t, { EY_TLS_CERT_FILE: join(dir, 'tls.crt'), EY_TLS_KEY_FILE: join(dir, 'tls.key'), EY_TLS_RELOAD_INTERVAL_MS: '200' });
    const url = `https://127.0.0.1:${admin.app.ports.http}/v1/processors`;
    const listed = await httpsCall(url, { ca: ca.cert, headers: auth });
    assert.equal(listed.status, 200, listed.body);
    await assert.rejects(fetch(`http://127.0.0.1:${admin.app.ports.http}/v1/processors`));

    const rotated = await ca.server(['admin.rotated.example']);
    writeFileSync(join(dir, 'tls.key.new'), rotated.key);
    writeFileSync(join(dir, 'tls.crt.new'), rotated.cert);
    renameSync(join(dir, 'tls.key.new'), join(dir, 'tls.key'));
    renameSync(join(dir, 'tls.crt.new'), join(dir, 'tls.crt'));
    let cn = '';
    for (let i = 0; i < 50 && cn !== 'admin.rotated.example'; i++) {
      await sleep(100);
      cn = String((await presentedCertificate(admin.app.ports.http, ca.cert)).subject.CN);
    }
    assert.equal(cn, 'admin.rotated.example');
    assert.equal((await httpsCall(url, { ca: ca.cert, headers: auth })).status, 200);
  });

  it('with EY_TLS_REQUIRE_CLIENT_CERT accepts only clients with a certificate from EY_TLS_CLIENT_CA_FILE', async (t) => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': serverPem.key, 'ca.crt': ca.cert });
    const admin = await startAdmin(t, {
      EY_TLS_CERT_FILE: join(dir, 'tls.crt'),
      EY_TLS_KEY_FILE: join(dir, 'tls.key'),
      EY_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
      EY_TLS_REQUIRE_CLIENT_CERT: 'true',
    });
    const url = `https://127.0.0.1:${admin.app.ports.http}/v1/processors`;
    assert.equal((await httpsCall(url, { ca: ca.cert, client: clientPem, headers: auth })).status, 200);
    await assert.rejects(httpsCall(url, { ca: ca.cert, headers: auth }), /certificate|alert|socket hang up|ECONNRESET/i);
  });

  it('refuses to start on files that are not a certificate and its key', async (t) => {
    const dir = writeTestFiles({ 'tls.crt': serverPem.cert, 'tls.key': clientPem.key });
    await assert.rejects(startAdmin(t, { EY_TLS_CERT_FILE: join(dir, 'tls.crt'), EY_TLS_KEY_FILE: join(dir, 'tls.key') }), { code: 'EY_TLS_FILES_INVALID' });
  });
});
