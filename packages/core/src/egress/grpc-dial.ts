// What a grpc-js channel to a guarded target dials. grpc-js resolves names itself, through a resolver
// API it does not export, so the guard cannot sit inside it: the name is resolved here, every address is
// checked, and the channel dials the checked IP literals (grpc-js's `ipv4:`/`ipv6:` targets, which it does
// not resolve again) with the original host:port as its authority, so the server still sees its own name
// (and TLS, where used, would check it). A channel keeps its addresses; a new channel resolves again.
import { EventyardError } from '../errors.ts';
import { CoreErrors } from '../error-codes.ts';
import { EgressErrorCode, type CheckOptions, type EgressGuard } from './egress-guard.ts';

export interface GrpcDial {
  /** A grpc-js target of checked IP literals, e.g. `ipv4:93.184.215.14:443` or `ipv6:[2606:4700::1]:50051`. */
  target: string;
  /** `grpc.default_authority` for the channel: the host:port it was asked for. */
  authority: string;
  /** The host asked for (no brackets, no port): the name a TLS certificate is verified against. */
  host: string;
}

/**
 * Resolves and checks a grpc-js target `host:port` (`[v6]:port`; no port = 443, as grpc-js). Throws
 * EY_EGRESS_REFUSED for a refused target (`unix:` included), EY_EGRESS_INVALID_TARGET for one that is not
 * host:port, or the resolver's error for a name that does not resolve.
 */
export async function checkedGrpcTarget(guard: EgressGuard, target: string, options: CheckOptions = {}): Promise<GrpcDial> {
  guard.assertHost(target, options);
  let url: URL;
  try {
    url = new URL(`grpc://${target}`);
  } catch {
    throw invalidTarget(target);
  }
  if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.username !== '' || url.search !== '') throw invalidTarget(target);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? '443' : url.port;
  const addresses = await guard.resolve(host, options);
  const family = addresses[0]?.family === 6 ? 6 : 4;
  const same = addresses.filter((a) => (a.family === 6 ? 6 : 4) === family);
  const dial = family === 6 ? `ipv6:${same.map((a) => `[${a.address}]:${port}`).join(',')}` : `ipv4:${same.map((a) => `${a.address}:${port}`).join(',')}`;
  return { target: dial, authority: url.port === '' ? url.hostname : `${url.hostname}:${port}`, host };
}

function invalidTarget(target: string): EventyardError {
  return new EventyardError(CoreErrors.EY_EGRESS_INVALID_TARGET, `gRPC target ${JSON.stringify(target.slice(0, 200))}: expected host:port`, {
    context: { target: target.slice(0, 200) },
  });
}

/** The prefixes EvHub allows before a gRPC `host:port` (all mean "this host and port"). */
const GRPC_PREFIXES = ['ip://', 'dns://', 'ipv4://', 'ipv6://'] as const;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The host an EvHub address dials: gRPC `host:port` (optionally `ip://`, `dns:///`), or an HTTP
 * `host:port/path` / `http(s)://` URL. `unix:` targets come back as they are (the guard refuses them);
 * undefined when no host can be read (the sender reports that address as invalid).
 */
export function targetHost(addr: string, transport: 'grpc' | 'http'): string | undefined {
  let target = addr.trim();
  if (/^unix(-abstract)?:/i.test(target)) return target;
  if (transport === 'grpc') {
    const prefix = GRPC_PREFIXES.find((p) => target.toLowerCase().startsWith(p));
    if (prefix !== undefined) target = target.slice(prefix.length);
    target = target.replace(/^\/+/, '');
    if (/^unix(-abstract)?:/i.test(target)) return target;
    target = `grpc://${target}`;
  } else if (!HAS_SCHEME.test(target)) {
    target = `http://${target}`;
  }
  try {
    const host = new URL(target).hostname;
    return host === '' ? undefined : host.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * A save-time check of an address (admin API): refused classes, `unix:` and the deny list, with a DNS
 * lookup for an early, clear error. A name that does not resolve from here is let through: the
 * connect-time check, where the address is dialled, is the authoritative one. Throws EY_EGRESS_REFUSED.
 */
export async function checkTargetOnSave(guard: EgressGuard, addr: string, transport: 'grpc' | 'http', options: CheckOptions = {}): Promise<void> {
  const host = targetHost(addr, transport);
  if (host === undefined) return;
  // Literals, unix:, metadata names and denied names: no DNS needed, always answered.
  guard.assertHost(host, options);
  let timer: NodeJS.Timeout | undefined;
  // A slow resolver must not hold a save: after SAVE_LOOKUP_MS the connect-time check decides alone.
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SAVE_LOOKUP_MS);
  });
  try {
    await Promise.race([guard.resolve(host, options).then(() => undefined), gaveUp]);
  } catch (err) {
    if ((err as { code?: unknown }).code === EgressErrorCode.refused) throw err;
  } finally {
    clearTimeout(timer);
  }
}

const SAVE_LOOKUP_MS = 3000;
