// The admin service's configuration: the core variables plus its own EY_ADMIN_* variables, parsed once
// from the environment into a frozen object (one line per bad variable on error).
import { coreEnv, coreEnvAliases, deepFreeze, egressEnv, field, loadCoreConfig, loadEgressConfig, loadServerTlsConfig, parseEnv, tlsEnv, type CoreConfig, type EgressConfig, type ServerTlsConfig } from '@eventyard/core';

const adminEnv = {
  ...coreEnv,
  /** The egress lists the dispatcher and delay-scheduler apply, checked here when an address is saved. */
  ...egressEnv,
  /** EY_TLS_*: the certificate the admin API serves; unset = plaintext. */
  ...tlsEnv,
  /** Configs and history live in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** Admin HTTP API. EvHub's default is 8081. 0 = any free port. */
  EY_ADMIN_PORT: field.port().default(8081),
  EY_ADMIN_HOST: field.string().default('0.0.0.0'),
  /** When set, every /v1 route requires `authorization: Bearer <token>`. */
  EY_ADMIN_TOKEN: field.string().optional(),
  /** Largest request body accepted, in bytes. */
  EY_ADMIN_BODY_LIMIT_BYTES: field.int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** How long shutdown lets in-flight requests finish before cutting them. */
  EY_SHUTDOWN_GRACE_MS: field.int(0, 600_000).default(10_000),
};

export interface AdminConfig extends CoreConfig {
  databaseUrl: string;
  http: { host: string; port: number };
  /** TLS of the admin API (EY_TLS_*); undefined = plaintext. */
  tls?: ServerTlsConfig;
  /** Bearer token for /v1 routes; undefined = open (dev). */
  adminToken?: string;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  /** Processor addresses and producer check-back addresses are checked against it when saved. */
  egress: EgressConfig;
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>): Readonly<AdminConfig> {
  const env = parseEnv(adminEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  const tls = loadServerTlsConfig(source);
  return deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    egress: loadEgressConfig(source),
    http: { host: env.EY_ADMIN_HOST, port: env.EY_ADMIN_PORT },
    ...(tls === undefined ? {} : { tls }),
    ...(env.EY_ADMIN_TOKEN === undefined ? {} : { adminToken: env.EY_ADMIN_TOKEN }),
    bodyLimitBytes: env.EY_ADMIN_BODY_LIMIT_BYTES,
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
  });
}
