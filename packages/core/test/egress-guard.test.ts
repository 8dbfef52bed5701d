// The egress guard: every refused class by literal and by a name a test resolver points at it, the
// embedded IPv4 of mapped/compatible IPv6, allow and deny lists, the loopback-only dev guard, the socket
// lookup (no connection attempt to a refused address) and the environment variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EgressGuard, isEventyardError, loadEgressConfig, egressGuardOf, type ResolvedAddress } from '../src/index.ts';

/** A resolver the test controls: every name resolves to `addresses`. */
function resolvingTo(...addresses: string[]) {
  const asked: string[] = [];
  const resolve = (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    return Promise.resolve(addresses.map((address) => ({ address, family: net.isIP(address) })));
  };
  return { resolve, asked };
}

function refusedClass(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isEventyardError(err), String(err));
    assert.equal(err.code, 'EY_EGRESS_REFUSED');
    assert.equal(err.retriable, false);
    return String(err.context.egress_class);
  }
  assert.fail('expected EY_EGRESS_REFUSED');
}

const REFUSED: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['::1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.168.1.1', 'private'],
  ['fd12:3456::1', 'private'],
  ['fc00::1', 'private'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.255', 'CGNAT'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['169.254.169.254', 'cloud metadata'],
  ['fd00:ec2::254', 'cloud metadata'],
  ['64:ff9b::a00:1', 'NAT64'],
  ['64:ff9b:1::1', 'NAT64'],
  ['2002:a00:1::1', '6to4'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:a9fe:a9fe', 'cloud metadata'],
  ['::10.0.0.1', 'private'],
  ['[::1]', 'loopback'],
  ['240.0.0.1', 'reserved'],
];

test('every refused class is refused as an IP literal, named in the error', () => {
  const guard = new EgressGuard();
  for (const [address, kind] of REFUSED)
    assert.equal(
      refusedClass(() => guard.assertHost(address)),
      kind,
      address,
    );
});

test('public addresses, including a mapped public IPv4, pass', async () => {
  const guard = new EgressGuard();
  for (const address of ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2001:db9::1']) {
    assert.equal(guard.refusal(address, address), undefined, address);
    assert.deepEqual(await guard.resolve(address), [{ address: address.replace(/^\[|\]$/g, ''), family: net.isIP(address) }]);
  }
});

test('a name is refused when any address it resolves to is refused; names for metadata and unix: targets without DNS', async () => {
  for (const [address, kind] of REFUSED.filter(([a]) => !a.startsWith('['))) {
    const { resolve } = resolvingTo('93.184.215.14', address);
    const error = await new EgressGuard({ resolve }).resolve('hooks.example.com').then(
      () => assert.fail(`expected ${address} refused`),
      (err: unknown) => err as { code: string; message: string; context: Record<string, unknown> },
    );
    assert.equal(error.code, 'EY_EGRESS_REFUSED');
    assert.equal(error.context.egress_class, kind);
    assert.match(error.message, new RegExp(`hooks\\.example\\.com resolves to ${address.replace(/[.[\]]/g, '\\$&')}`));
  }
  const { resolve, asked } = resolvingTo('93.184.215.14');
  const guard = new EgressGuard({ resolve });
  assert.equal(
    refusedClass(() => guard.assertHost('metadata.google.internal')),
    'cloud metadata',
  );
  assert.equal(
    refusedClass(() => guard.assertHost('Metadata.Google.Internal.')),
    'cloud metadata',
  );
  assert.equal(
    refusedClass(() => guard.assertHost('unix:/var/run/docker.sock')),
    'unix socket',
  );
  assert.equal(
    refusedClass(() => guard.assertHost('unix-abstract:grpc')),
    'unix socket',
  );
  assert.deepEqual(asked, []);
  assert.deepEqual(await guard.resolve('hooks.example.com'), [{ address: '93.184.215.14', family: 4 }]);
});

test('EY_EGRESS_ALLOW lets listed CIDRs and hosts through; EY_EGRESS_DENY wins over it and refuses public ones', async () => {
  const guard = new EgressGuard({
    allow: ['10.20.0.0/16', 'consumer.internal', '*.svc.cluster.local', 'fd00:1::/32'],
    deny: ['10.20.9.0/24', 'evil.example.com', '8.8.4.4'],
  });
  assert.equal(guard.refusal('10.20.1.1', '10.20.1.1'), undefined);
  assert.equal(guard.refusal('::ffff:10.20.1.1', '::ffff:10.20.1.1'), undefined, 'an IPv4 entry covers the mapped form');
  assert.equal(guard.refusal('fd00:1::5', 'fd00:1::5'), undefined);
  assert.equal(guard.refusal('consumer.internal', '10.99.0.1'), undefined, 'allowed by host name');
  assert.equal(guard.refusal('a.b.svc.cluster.local', '10.99.0.1'), undefined, 'allowed by wildcard');
  assert.equal(guard.refusal('10.21.0.1', '10.21.0.1')?.class, 'private');
  assert.equal(guard.refusal('10.20.9.9', '10.20.9.9')?.class, 'denied', 'deny wins over allow');
  assert.equal(guard.refusal('8.8.4.4', '8.8.4.4')?.class, 'denied', 'deny refuses a public address');
  assert.equal(
    refusedClass(() => guard.assertHost('evil.example.com')),
    'denied',
  );
  assert.equal(
    refusedClass(() => guard.assertHost('EVIL.example.com')),
    'denied',
  );
  const allowsMetadataName = new EgressGuard({ allow: ['metadata.google.internal'], resolve: resolvingTo('169.254.169.254').resolve });
  assert.equal(allowsMetadataName.assertHost('metadata.google.internal'), undefined);
  // The legacy switch allows every class but not what is denied.
  const legacy = new EgressGuard({ allowAllClasses: true, deny: ['169.254.169.254'] });
  assert.equal(legacy.refusal('10.0.0.1', '10.0.0.1'), undefined);
  assert.equal(legacy.refusal('169.254.169.254', '169.254.169.254')?.class, 'denied');
});

test('trusted (operator-registered) targets may be private, never cloud metadata or denied', () => {
  const guard = new EgressGuard({ deny: ['10.9.0.0/16'] });
  assert.equal(guard.refusal('tx.internal', '10.0.0.7', { trusted: true }), undefined);
  assert.equal(guard.refusal('tx.internal', '169.254.169.254', { trusted: true })?.class, 'cloud metadata');
  assert.equal(guard.refusal('tx.internal', '10.9.1.1', { trusted: true })?.class, 'denied');
});

test('the dev guard allows loopback only', () => {
  const guard = EgressGuard.loopbackOnly();
  assert.equal(guard.refusal('127.0.0.1', '127.0.0.1'), undefined);
  assert.equal(guard.refusal('::1', '::1'), undefined);
  assert.equal(guard.refusal('localhost', '127.0.0.1'), undefined);
  assert.equal(guard.refusal('10.0.0.1', '10.0.0.1')?.class, 'private');
  assert.equal(guard.refusal('169.254.169.254', '169.254.169.254')?.class, 'cloud metadata');
});

test("a socket using the guard's lookup never connects to a refused address", async (t) => {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const connect = (guard: EgressGuard) =>
    new Promise<string>((resolve) => {
      const socket = net.connect({ host: 'consumer.test', port, lookup: guard.lookup });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  assert.equal(await connect(new EgressGuard({ resolve: resolvingTo('127.0.0.1').resolve })), 'EY_EGRESS_REFUSED');
  assert.equal(accepted, 0);
  assert.equal(await connect(EgressGuard.loopbackOnly(resolvingTo('127.0.0.1').resolve)), 'connected');
});

test('environment: lists parsed and checked, EY_ALLOW_PRIVATE_TARGETS kept as a deprecated alias with a warning', () => {
  const config = loadEgressConfig({ EY_EGRESS_ALLOW: '10.0.0.0/8, consumer.internal', EY_EGRESS_DENY: '10.66.0.0/16' });
  assert.deepEqual(config, { allow: ['10.0.0.0/8', 'consumer.internal'], deny: ['10.66.0.0/16'], allowAllClasses: false, warnings: [] });
  assert.equal(egressGuardOf(config).refusal('10.66.0.1', '10.66.0.1')?.class, 'denied');
  const legacy = loadEgressConfig({ EY_ALLOW_PRIVATE_TARGETS: 'true' });
  assert.equal(legacy.allowAllClasses, true);
  assert.match(legacy.warnings[0] ?? '', /EY_ALLOW_PRIVATE_TARGETS=true is deprecated.*EY_EGRESS_ALLOW/);
  assert.throws(
    () => loadEgressConfig({ EY_EGRESS_ALLOW: '10.0.0.0/33,ok.example', EY_EGRESS_DENY: 'not a host' }),
    (err: Error) => /EY_EGRESS_ALLOW: "10\.0\.0\.0\/33" is not a CIDR/.test(err.message) && /EY_EGRESS_DENY: "not a host" is neither/.test(err.message),
  );
});
