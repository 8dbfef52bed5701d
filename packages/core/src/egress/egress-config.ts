// The egress variables every service that connects to configured addresses reads (dispatcher,
// delay-scheduler, admin), parsed into an EgressGuard. EY_ALLOW_PRIVATE_TARGETS is the deprecated
// all-or-nothing switch these replace: still honoured (every class allowed, the deny list still applies)
// with a warning at start.
import { field, parseEnv } from '../config.ts';
import { parseListEntry } from './address-classes.ts';
import { EgressGuard, type Resolver } from './egress-guard.ts';

/** Comma-separated CIDRs and host names, each checked (one line per bad entry). */
const egressList = () => field.list(parseListEntry);

export const egressEnv = {
  /** CIDRs or host names let through although their class (private, loopback, ...) is refused. */
  EY_EGRESS_ALLOW: egressList().default([]),
  /** CIDRs or host names never connected to; wins over EY_EGRESS_ALLOW. */
  EY_EGRESS_DENY: egressList().default([]),
  /** Deprecated: `true` allows every refused class (use EY_EGRESS_ALLOW with your networks instead). */
  EY_ALLOW_PRIVATE_TARGETS: field.bool().default(false),
};

export interface EgressConfig {
  allow: string[];
  deny: string[];
  /** EY_ALLOW_PRIVATE_TARGETS=true. */
  allowAllClasses: boolean;
  /** Said once at start (the deprecated switch). */
  warnings: string[];
}

/** Parses the egress variables; throws ConfigError listing every bad entry. */
export function loadEgressConfig(source: Record<string, string | undefined>): EgressConfig {
  const env = parseEnv(egressEnv, source);
  const warnings = env.EY_ALLOW_PRIVATE_TARGETS
    ? [
        'EY_ALLOW_PRIVATE_TARGETS=true is deprecated: it lets every outbound connection reach private, loopback, link-local and metadata addresses; list the networks your targets live on in EY_EGRESS_ALLOW instead',
      ]
    : [];
  return { allow: [...env.EY_EGRESS_ALLOW], deny: [...env.EY_EGRESS_DENY], allowAllClasses: env.EY_ALLOW_PRIVATE_TARGETS, warnings };
}

/** The guard a service's config describes. */
export function egressGuardOf(config: Pick<EgressConfig, 'allow' | 'deny' | 'allowAllClasses'>, resolve?: Resolver): EgressGuard {
  return new EgressGuard({ allow: config.allow, deny: config.deny, allowAllClasses: config.allowAllClasses, ...(resolve === undefined ? {} : { resolve }) });
}
