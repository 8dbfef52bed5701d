// Save-time egress checks over real HTTP: a processor `addr` in any refused class (as a literal, by a
// name that resolves into it, metadata names, unix:) is answered 400 EY_EGRESS_REFUSED naming the field,
// the address and the class, and is not stored; EY_EGRESS_ALLOW / EY_EGRESS_DENY apply; a producer's
// tx_address (a registered check-back) may be private but never metadata or unix:. Nothing is dialled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAdmin } from '../fixture.ts';

function processor(dispatcherId: string, addr: string, protocolType: 'grpcSend' | 'httpSend' = 'grpcSend') {
  return { processor_conf_info: { dispatcher_id: dispatcherId, app_id: 'shop', topic_id: 'order', protocol_type: protocolType, addr } };
}

const REFUSED: Array<[addr: string, protocol: 'grpcSend' | 'httpSend', shown: string, kind: string]> = [
  ['ip://127.0.0.1:6001', 'grpcSend', '127.0.0.1', 'loopback'],
  ['http://[::1]:8080/hook', 'httpSend', '::1', 'loopback'],
  ['localhost:6001', 'grpcSend', 'localhost resolves to', 'loopback'],
  ['10.0.0.5:6001', 'grpcSend', '10.0.0.5', 'private'],
  ['172.20.1.1:80/hook', 'httpSend', '172.20.1.1', 'private'],
  ['https://192.168.0.10/hook', 'httpSend', '192.168.0.10', 'private'],
  ['[fd00::5]:6001', 'grpcSend', 'fd00::5', 'private'],
  ['169.254.10.10:80', 'grpcSend', '169.254.10.10', 'link-local'],
  ['[fe80::1]:80', 'grpcSend', 'fe80::1', 'link-local'],
  ['100.64.3.4:80', 'grpcSend', '100.64.3.4', 'CGNAT'],
  ['http://224.0.0.5/x', 'httpSend', '224.0.0.5', 'multicast'],
  ['[ff05::2]:80', 'grpcSend', 'ff05::2', 'multicast'],
  ['0.0.0.0:80', 'grpcSend', '0.0.0.0', 'unspecified'],
  ['[::]:80', 'grpcSend', '::', 'unspecified'],
  ['255.255.255.255:80', 'grpcSend', '255.255.255.255', 'broadcast'],
  ['http://169.254.169.254/latest/meta-data', 'httpSend', '169.254.169.254', 'cloud metadata'],
  ['[fd00:ec2::254]:80', 'grpcSend', 'fd00:ec2::254', 'cloud metadata'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'httpSend', 'metadata.google.internal', 'cloud metadata'],
  ['[64:ff9b::a00:1]:80', 'grpcSend', '64:ff9b::a00:1', 'NAT64'],
  ['[64:ff9b:1::a00:1]:80', 'grpcSend', '64:ff9b:1::a00:1', 'NAT64'],
  ['[2002:a00:1::1]:80', 'grpcSend', '2002:a00:1::1', '6to4'],
  ['[2001:0:4136:e378::1]:80', 'grpcSend', '2001:0:4136:e378::1', 'Teredo'],
  ['[::ffff:10.0.0.1]:80', 'grpcSend', '::ffff:a00:1', 'private'],
  ['unix:/var/run/docker.sock', 'grpcSend', 'unix:/var/run/docker.sock', 'unix socket'],
  ['dns:///unix:/tmp/s', 'grpcSend', 'unix:/tmp/s', 'unix socket'],
  ['10.20.9.1:80', 'grpcSend', '10.20.9.1', 'denied'],
  ['https://denied.example.com/hook', 'httpSend', 'denied.example.com', 'denied'],
];

test('egress checks when processors and producers are saved', async (t) => {
  const { call } = await startAdmin(t, { EY_EGRESS_ALLOW: '10.20.0.0/16', EY_EGRESS_DENY: '10.20.9.0/24,denied.example.com' });

  await t.test('every refused class: 400 naming the field, the address and the class; nothing stored', async () => {
    for (const [i, [addr, protocol, shown, kind]] of REFUSED.entries()) {
      const res = await call('POST', '/v1/processor', processor(`p${i}`, addr, protocol));
      assert.equal(res.status, 400, `${addr}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'EY_EGRESS_REFUSED', addr);
      assert.equal(res.body.ret.code, 10000, addr);
      const msg = String(res.body.ret.msg);
      assert.ok(msg.startsWith('processor_conf_info.addr: egress refused: '), msg);
      assert.ok(msg.includes(shown), `${addr}: ${msg} names ${shown}`);
      assert.ok(msg.includes(`(class ${kind})`), `${addr}: ${msg} names class ${kind}`);
      assert.equal((await call('GET', `/v1/processor/p${i}`)).status, 404, addr);
    }
  });

  await t.test('public and allowed addresses are saved', async () => {
    for (const [i, [addr, protocol]] of (
      [
        ['ip://93.184.215.14:443', 'grpcSend'],
        ['https://[2606:4700::1111]/hook', 'httpSend'],
        ['10.20.1.1:6001', 'grpcSend'],
        ['hooks.invalid:443/x', 'httpSend'],
      ] as const
    ).entries()) {
      const res = await call('POST', '/v1/processor', processor(`ok${i}`, addr, protocol));
      assert.equal(res.status, 200, `${addr}: ${JSON.stringify(res.body)}`);
    }
  });

  await t.test('a producer tx_address may be private (registered check-back), never metadata or unix:', async () => {
    const ok = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'shop', topic_id: 'order', tx_address: '10.0.0.5:9000' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (const [address, kind] of [
      ['169.254.169.254:80', 'cloud metadata'],
      ['unix:/run/tx.sock', 'unix socket'],
      ['10.20.9.7:9000', 'denied'],
    ] as const) {
      const res = await call('POST', '/v1/producer', { producer_conf_info: { app_id: 'shop', topic_id: 'refund', tx_address: address } });
      assert.equal(res.status, 400, address);
      assert.equal(res.body.error, 'EY_EGRESS_REFUSED');
      assert.match(String(res.body.ret.msg), new RegExp(`^producer_conf_info\\.tx_address: egress refused: .*\\(class ${kind}\\)`));
    }
  });
});
