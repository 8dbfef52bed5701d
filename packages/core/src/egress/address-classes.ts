// The address classes the egress guard refuses, by name, and the CIDR lists operators write. Matching is
// ipaddr.js's (parsing, prefix matching, the IPv4 inside ::ffff:0:0/96), not bit maths of our own.
import ipaddr from 'ipaddr.js';

export type EgressClass =
  'cloud metadata' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'CGNAT' | 'multicast' | 'broadcast' | 'reserved' | 'NAT64' | '6to4' | 'Teredo';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function cidrs(...list: string[]): Range[] {
  return list.map((cidr) => ipaddr.parseCIDR(cidr));
}

/**
 * Refused ranges, most specific class first (subnetMatch returns the first name that matches, so
 * 169.254.169.254 is named "cloud metadata" rather than "link-local", 255.255.255.255 "broadcast"
 * rather than "reserved").
 */
const REFUSED: Record<EgressClass, Range[]> = {
  'cloud metadata': cidrs('169.254.169.254/32', 'fd00:ec2::254/128'),
  unspecified: cidrs('0.0.0.0/8', '::/128'),
  loopback: cidrs('127.0.0.0/8', '::1/128'),
  private: cidrs('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'),
  'link-local': cidrs('169.254.0.0/16', 'fe80::/10'),
  CGNAT: cidrs('100.64.0.0/10'),
  multicast: cidrs('224.0.0.0/4', 'ff00::/8'),
  broadcast: cidrs('255.255.255.255/32'),
  // IETF protocol assignments and benchmarking networks, and the never-routed 240/4.
  reserved: cidrs('192.0.0.0/24', '198.18.0.0/15', '240.0.0.0/4'),
  // Translation prefixes reach an IPv4 address the embedded bits choose: refused outright.
  NAT64: cidrs('64:ff9b::/96', '64:ff9b:1::/48'),
  '6to4': cidrs('2002::/16'),
  Teredo: cidrs('2001::/32'),
};

/** Cloud metadata services reachable by name; refused before any DNS lookup. */
export const METADATA_HOSTS: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal']);

const MAPPED = ipaddr.parseCIDR('::ffff:0:0/96');
const COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The IP in `address` (brackets and an IPv6 zone allowed), or undefined for a host name. */
export function parseIp(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Only canonical literals: "127.1" or "0x7f.1" are names for the resolver, whose answer is checked.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !(bare.includes(':') && ipaddr.IPv6.isValid(bare))) return undefined;
  return ipaddr.parse(bare);
}

/**
 * The IPv4 address an IPv6 address carries in its last 32 bits when it is IPv4-mapped (::ffff:a.b.c.d)
 * or IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks), else the address itself.
 */
export function effectiveAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ip.kind() !== 'ipv6') return ip;
  const v6 = ip as ipaddr.IPv6;
  if (v6.match(MAPPED)) return v6.toIPv4Address();
  // :: and ::1 are themselves classes (unspecified, loopback), not embedded IPv4 addresses.
  if (v6.match(COMPATIBLE) && v6.range() !== 'unspecified' && v6.range() !== 'loopback') return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  return v6;
}

/** The refused class of an IP, or undefined when it is a public unicast address. */
export function classify(ip: ipaddr.IPv4 | ipaddr.IPv6): EgressClass | undefined {
  const name = ipaddr.subnetMatch(effectiveAddress(ip), REFUSED, '');
  return name === '' ? undefined : (name as EgressClass);
}

/** A list entry of EY_EGRESS_ALLOW / EY_EGRESS_DENY: a CIDR (a bare IP is its /32 or /128) or a host name. */
export type ListEntry = { kind: 'cidr'; range: Range; text: string } | { kind: 'host'; name: string; text: string };

/** Parses one list entry; throws an Error saying what is wrong with it. */
export function parseListEntry(text: string): ListEntry {
  const entry = text.trim();
  if (entry.includes('/')) {
    if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not a CIDR (e.g. 10.0.0.0/8, fd00::/8)`);
    return { kind: 'cidr', range: ipaddr.parseCIDR(entry), text: entry };
  }
  const ip = parseIp(entry);
  if (ip !== undefined) return { kind: 'cidr', range: [ip, ip.kind() === 'ipv4' ? 32 : 128], text: entry };
  const name = normalizeHost(entry);
  if (!/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
    throw new Error(`"${entry}" is neither a CIDR nor a host name`);
  }
  return { kind: 'host', name, text: entry };
}

/** Lower case, without a trailing root dot: the form host names are compared in. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** True when `entry` covers the address `ip` or the host name `host` (`*.example.com` covers its subdomains). */
export function entryMatches(entry: ListEntry, host: string, ip: ipaddr.IPv4 | ipaddr.IPv6 | undefined): boolean {
  if (entry.kind === 'host') {
    if (entry.name.startsWith('*.')) return host.endsWith(entry.name.slice(1));
    return host === entry.name;
  }
  if (ip === undefined) return false;
  const [network] = entry.range;
  // An IPv4 entry also covers the IPv4 an IPv6 address carries (::ffff:10.0.0.1 is 10.0.0.1).
  for (const candidate of [ip, effectiveAddress(ip)]) {
    if (candidate.kind() === network.kind() && candidate.match(entry.range)) return true;
  }
  return false;
}
