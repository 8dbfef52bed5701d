// SSRF guard for webhook targets: a processor's `addr` must not reach the dispatcher's own network
// (loopback, private, link-local — cloud metadata at 169.254.169.254 —, CGNAT, unique-local, multicast,
// unspecified). The check runs where the connection is made: a `lookup` for the socket that refuses a
// name resolving to such an address (so DNS rebinding between a check and the connect cannot slip
// through), plus a check of IP literals, which sockets connect to without a lookup.
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { EventyardError } from '@eventyard/core';

/** A webhook target on a refused network; not retried (allow it with EY_ALLOW_PRIVATE_TARGETS=true). */
export const TARGET_FORBIDDEN = 'EY_DISPATCH_TARGET_FORBIDDEN';

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** True for an address the guard refuses. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 it carries. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(bare, 'ipv6');
}

/** Throws TARGET_FORBIDDEN when `hostname` is an IP literal on a refused network. Names are checked at connect time. */
export function assertAllowedLiteral(hostname: string): void {
  if (isForbiddenAddress(hostname)) throw forbidden(hostname, hostname);
}

/** A socket `lookup` that resolves like dns.lookup and refuses names resolving to a refused address. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err !== null) {
      callback(err, '', 0);
      return;
    }
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    if (bad !== undefined) {
      callback(forbidden(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      return;
    }
    if (options.all === true) {
      (callback as unknown as (err: null, addresses: dns.LookupAddress[]) => void)(null, addresses);
      return;
    }
    const first = addresses[0];
    if (first === undefined) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    else callback(null, first.address, first.family);
  });
};

function forbidden(hostname: string, address: string): EventyardError {
  return new EventyardError(
    'delivery',
    TARGET_FORBIDDEN,
    `webhook target ${hostname} resolves to ${address}, a private/loopback/link-local address; set EY_ALLOW_PRIVATE_TARGETS=true to allow it`,
    { retriable: false, context: { host: hostname } },
  );
}
