// The admin service's configuration: the core variables plus its own EY_ADMIN_* variables, parsed once
// from the environment into a frozen object (one line per bad variable on error).
import {
  coreEnv,
  coreEnvAliases,
  deepFreeze,
  egressEnv,
  field,
  loadCoreConfig,
  loadEgressConfig,
  loadSecretsConfig,
  parseEnv,
  secretsEnv,
  type CoreConfig,
  type EgressConfig,
  type SecretsConfig,
} from '@eventyard/core';

const adminEnv = {
  ...coreEnv,
  /** The egress lists the dispatcher and delay-scheduler apply, checked here when an address is saved. */
  ...egressEnv,
  /** EY_SECRETS_KEY / EY_SECRETS_KEY_PREVIOUS: processor secrets sealed at rest. */
  ...secretsEnv,
  /** How long a rotated webhook secret stays valid beside the new one, seconds (a rotate request may say otherwise). */
  EY_SECRET_ROTATION_OVERLAP_S: field.int(0, 30 * 24 * 3600).default(24 * 3600),
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
  /** Bearer token for /v1 routes; undefined = open (dev). */
  adminToken?: string;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  /** Processor addresses and producer check-back addresses are checked against it when saved. */
  egress: EgressConfig;
  /** Seals and opens processor secrets; not deep-frozen (it holds key buffers, and freezes itself). */
  secrets: SecretsConfig;
  secretRotationOverlapS: number;
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>): Readonly<AdminConfig> {
  const env = parseEnv(adminEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  // Parsed before the freeze and attached after it: Object.freeze refuses a Buffer (the keys).
  const secrets = loadSecretsConfig(source);
  const config = deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    egress: loadEgressConfig(source),
    http: { host: env.EY_ADMIN_HOST, port: env.EY_ADMIN_PORT },
    ...(env.EY_ADMIN_TOKEN === undefined ? {} : { adminToken: env.EY_ADMIN_TOKEN }),
    bodyLimitBytes: env.EY_ADMIN_BODY_LIMIT_BYTES,
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
    secretRotationOverlapS: env.EY_SECRET_ROTATION_OVERLAP_S,
  });
  return Object.freeze({ ...config, secrets: Object.freeze({ keyring: secrets.keyring, warnings: Object.freeze([...secrets.warnings]) }) }) as Readonly<AdminConfig>;
}
