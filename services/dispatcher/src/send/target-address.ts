// Turns a processor's `addr` into what a transport dials. gRPC: EvHub's `host:port` with an optional
// `ip://` or `dns://` prefix (both mean "this host and port"; grpc-js resolves names through DNS
// anyway). HTTP: EvHub's `host:port/path` gets `http://` prepended; an explicit `http://` or
// `https://` URL is used as is (our extension); any other scheme is refused.
import { EventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';

const GRPC_PREFIXES = ['ip://', 'dns://', 'ipv4://', 'ipv6://'] as const;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The grpc-js target of `addr`, e.g. `ip://10.0.0.5:9001` → `10.0.0.5:9001`. */
export function grpcTarget(addr: string): string {
  let target = addr.trim();
  const lower = target.toLowerCase();
  const prefix = GRPC_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix !== undefined) target = target.slice(prefix.length);
  // `dns:///host:port` (the gRPC naming form) leaves a leading slash.
  target = target.replace(/^\/+/, '');
  if (target === '' || /\s/.test(target)) throw invalidTarget(addr, 'expected host:port');
  return target;
}

/** The webhook URL of `addr`. */
export function webhookUrl(addr: string): URL {
  const trimmed = addr.trim();
  const withScheme = HAS_SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalidTarget(addr, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidTarget(addr, `scheme ${url.protocol} is not http: or https:`);
  if (url.hostname === '') throw invalidTarget(addr, 'no host');
  return url;
}

function invalidTarget(addr: string, problem: string): EventyardError {
  return new EventyardError(DispatcherErrors.EY_DISPATCH_INVALID_TARGET, `processor addr ${JSON.stringify(addr.slice(0, 200))}: ${problem}`, {
    context: { field: 'addr' },
  });
}
