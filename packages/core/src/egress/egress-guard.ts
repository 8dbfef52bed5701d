// One egress guard for every connection Eventyard opens to an address someone configured (webhooks, gRPC
// Dispatch, transaction check-backs): it refuses loopback, private, link-local, CGNAT, multicast,
// unspecified, broadcast, cloud metadata, NAT64/6to4/Teredo and `unix:` targets, checking every address
// a name resolves to at connect time (so a name that passed a check earlier cannot be re-pointed at an
// internal address in between). Operators widen or narrow it with EY_EGRESS_ALLOW / EY_EGRESS_DENY.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { CoreErrors } from '../error-codes.ts';
import { EventyardError } from '../errors.ts';
import { classify, entryMatches, METADATA_HOSTS, normalizeHost, parseIp, parseListEntry, type EgressClass, type ListEntry } from './address-classes.ts';

export type { EgressClass } from './address-classes.ts';

/**
 * The guard's codes: a target in a refused class or on EY_EGRESS_DENY (never retried: the address will
 * not change by waiting), and a gRPC target that is not host:port (a config error). Rows in CoreErrors.
 */
export const EgressErrorCode = {
  refused: CoreErrors.EY_EGRESS_REFUSED.code,
  invalidTarget: CoreErrors.EY_EGRESS_INVALID_TARGET.code,
} as const;

/** One resolved address, as dns.lookup gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (dns.lookup with all: true unless a test injects another). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export interface EgressPolicy {
  /** CIDRs and host names let through although their class is refused. */
  allow?: readonly string[];
  /** CIDRs and host names always refused; wins over `allow` and over `trusted`. */
  deny?: readonly string[];
  /** Every class allowed (the deprecated EY_ALLOW_PRIVATE_TARGETS=true); the deny list still applies. */
  allowAllClasses?: boolean;
  /** @default dns.lookup of every address */
  resolve?: Resolver;
}

export interface CheckOptions {
  /**
   * The operator registered this exact target (a producer config's check-back address): refused classes
   * are let through, except cloud metadata; the deny list still applies.
   */
  trusted?: boolean;
}

/** Why a target was refused: what the error message and the admin's 400 name. */
export interface EgressRefusal {
  host: string;
  address: string;
  class: EgressClass | 'denied' | 'unix socket';
}

const defaultResolve: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

export class EgressGuard {
  readonly #allow: ListEntry[];
  readonly #deny: ListEntry[];
  readonly #allowAll: boolean;
  readonly #resolve: Resolver;

  /** Throws an Error naming a list entry that is neither a CIDR nor a host name. */
  constructor(policy: EgressPolicy = {}) {
    this.#allow = (policy.allow ?? []).filter((e) => e.trim() !== '').map(parseListEntry);
    this.#deny = (policy.deny ?? []).filter((e) => e.trim() !== '').map(parseListEntry);
    this.#allowAll = policy.allowAllClasses === true;
    this.#resolve = policy.resolve ?? defaultResolve;
  }

  /** A guard that lets loopback through (`eventyard dev` and tests, whose consumers listen on 127.0.0.1). */
  static loopbackOnly(resolve?: Resolver): EgressGuard {
    return new EgressGuard({ allow: ['127.0.0.0/8', '::1'], ...(resolve === undefined ? {} : { resolve }) });
  }

  /**
   * The refusal for connecting to `address` (an IP literal) as `host`, or undefined when allowed. `host`
   * is the name the target was given by (the address itself for a literal).
   */
  refusal(host: string, address: string, options: CheckOptions = {}): EgressRefusal | undefined {
    const name = normalizeHost(host);
    const ip = parseIp(address);
    if (this.#deny.some((e) => entryMatches(e, name, ip))) return { host, address, class: 'denied' };
    if (ip === undefined) return undefined;
    const kind = classify(ip);
    if (kind === undefined || this.#allowAll) return undefined;
    if (options.trusted === true && kind !== 'cloud metadata') return undefined;
    if (this.#allow.some((e) => entryMatches(e, name, ip))) return undefined;
    return { host, address, class: kind };
  }

  /**
   * The checks that need no DNS: `unix:` targets, metadata host names, denied names and refused IP
   * literals. Throws EY_EGRESS_REFUSED; returns the IP when `host` is a literal, else undefined.
   */
  assertHost(host: string, options: CheckOptions = {}): string | undefined {
    const name = normalizeHost(host);
    if (/^unix(-abstract)?:/.test(name)) throw refusedError({ host, address: host, class: 'unix socket' });
    const literal = parseIp(host) === undefined ? undefined : host.replace(/^\[(.*)\]$/, '$1');
    if (literal !== undefined) {
      const refused = this.refusal(host, literal, options);
      if (refused !== undefined) throw refusedError(refused);
      return literal;
    }
    if (METADATA_HOSTS.has(name) && !this.#allowAll && !this.#allow.some((e) => entryMatches(e, name, undefined))) {
      throw refusedError({ host, address: host, class: 'cloud metadata' });
    }
    const denied = this.refusal(host, host, options);
    if (denied !== undefined) throw refusedError(denied);
    return undefined;
  }

  /**
   * Every address `host` resolves to, each checked: one refused address refuses the target (a name with
   * a public and a private address could otherwise be steered to the private one). Throws EY_EGRESS_REFUSED,
   * or the resolver's error (ENOTFOUND...) for a name that does not resolve.
   */
  async resolve(host: string, options: CheckOptions = {}): Promise<ResolvedAddress[]> {
    const literal = this.assertHost(host, options);
    if (literal !== undefined) return [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
    const addresses = await this.#resolve(normalizeHost(host));
    for (const { address } of addresses) {
      const refused = this.refusal(host, address, options);
      if (refused !== undefined) throw refusedError(refused);
    }
    if (addresses.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
    return addresses;
  }

  /** A socket `lookup` (net.connect, tls.connect, undici's `connect.lookup`) that resolves through `resolve`. */
  readonly lookup: LookupFunction = this.lookupFor();

  /** The socket `lookup` of targets checked with `options` (a trusted, operator-registered target). */
  lookupFor(checkOptions: CheckOptions = {}): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname, checkOptions).then(
        (all) => {
          const family = options.family === 4 || options.family === 6 ? options.family : 0;
          const usable = family === 0 ? all : all.filter((a) => a.family === family);
          if (options.all === true) {
            (callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, usable);
            return;
          }
          const first = usable[0];
          if (first === undefined) callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          else callback(null, first.address, first.family);
        },
        (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
      );
    };
  }
}

/** True when `err` (or an error it wraps, as undici and grpc-js wrap a lookup's error) is the guard's refusal. */
export function egressRefusalOf(err: unknown): EventyardError | undefined {
  for (let current = err, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === EgressErrorCode.refused && current instanceof Error) return current as EventyardError;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const CLASS_HINT: Record<EgressRefusal['class'], string> = {
  'cloud metadata': 'a cloud metadata service',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  CGNAT: 'a CGNAT (100.64.0.0/10) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  NAT64: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  Teredo: 'a Teredo address',
  denied: 'on EY_EGRESS_DENY',
  'unix socket': 'a unix socket',
};

/** The guard's error: names the host, the address it resolved to and the refused class. */
export function refusedError(refusal: EgressRefusal): EventyardError {
  const via = refusal.address === refusal.host ? refusal.host : `${refusal.host} resolves to ${refusal.address}, which`;
  const hint =
    refusal.class === 'denied' || refusal.class === 'unix socket'
      ? ''
      : `; to allow it, add the address's CIDR${refusal.address === refusal.host ? '' : ' or the host name'} to EY_EGRESS_ALLOW`;
  return new EventyardError(CoreErrors.EY_EGRESS_REFUSED, `egress refused: ${via} is ${CLASS_HINT[refusal.class]} (class ${refusal.class})${hint}`, {
    context: { host: refusal.host, address: refusal.address, egress_class: refusal.class },
  });
}
