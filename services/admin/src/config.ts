// The admin service's configuration: the core variables plus its own EY_ADMIN_* variables, parsed once
// from the environment into a frozen object (one line per bad variable on error).
import {
  ConfigError,
  CoreErrors,
  coreEnv,
  coreEnvAliases,
  deepFreeze,
  egressEnv,
  field,
  loadCoreConfig,
  loadEgressConfig,
  loadSecretsConfig,
  loadServerTlsConfig,
  parseEnv,
  secretsEnv,
  tlsEnv,
} from '@eventyard/core';

const adminEnv = {
  ...coreEnv,
  /** The egress lists the dispatcher and delay-scheduler apply, checked here when an address is saved. */
  ...egressEnv,
  /** EY_TLS_*: the certificate the admin API serves; unset = plaintext. */
  ...tlsEnv,
  /** EY_SECRETS_KEY / EY_SECRETS_KEY_PREVIOUS: processor secrets sealed at rest. */
  ...secretsEnv,
  /** How long a rotated webhook secret stays valid beside the new one, seconds (a rotate request may say otherwise). */
  EY_SECRET_ROTATION_OVERLAP_S: field.int(0, 30 * 24 * 3600).default(24 * 3600),
  /**
   * History retention, seconds: events older than this are deleted with their deliveries and attempts
   * (events with a live timer — a running repeat chain, a pending delay — are kept). 0 = keep forever.
   */
  EY_HISTORY_RETENTION_S: field.int(0, 10 * 365 * 24 * 3600).default(7 * 24 * 3600),
  /** Payload retention, seconds: payloads older than this are dropped (replay then says so). 0 = kept as long as their event. */
  EY_PAYLOAD_RETENTION_S: field.int(0, 10 * 365 * 24 * 3600).default(0),
  /** Time between retention passes, seconds (one admin instance prunes at a time). */
  EY_RETENTION_INTERVAL_S: field.int(1, 24 * 3600).default(60),
  /** Configs and history live in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** Admin HTTP API. EvHub's default is 8081. 0 = any free port. */
  EY_ADMIN_PORT: field.port().default(8081),
  /** Interface to listen on: every one in a container; `eventyard dev` passes 127.0.0.1. */
  EY_ADMIN_HOST: field.string().default('0.0.0.0'),
  /**
   * Bearer token allowing every admin route (API keys with admin permissions work beside it). Required
   * unless EY_ADMIN_AUTH=none. Treat it as a password: at least 16 characters.
   */
  EY_ADMIN_TOKEN: field.string().optional(),
  /** `token` (default): every route but /openapi.json needs a credential; `none`: open to anyone, on purpose. */
  EY_ADMIN_AUTH: field.oneOf(['token', 'none'] as const).default('token'),
  /** Largest request body accepted, in bytes. */
  EY_ADMIN_BODY_LIMIT_BYTES: field.int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** Status changes each admin instance keeps in memory, so watch streams resuming with Last-Event-ID are served from there (older positions are read back from Kafka). */
  EY_WATCH_BUFFER_RECORDS: field.int(1, 10_000_000).default(50_000),
  /** Bytes that may wait for one watch client before it is dropped as too slow (with a final `dropped` event). */
  EY_WATCH_CLIENT_BUFFER_BYTES: field.int(4096, 256 * 1024 * 1024).default(1024 * 1024),
  /** How often a watch stream sends a keep-alive comment (with its position as id). */
  EY_WATCH_KEEPALIVE_MS: field.int(1000, 600_000).default(15_000),
  /** How long shutdown lets in-flight requests finish before cutting them. */
  EY_SHUTDOWN_GRACE_MS: field.int(0, 600_000).default(10_000),
};

/** The admin service's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type AdminConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(adminEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  if (env.EY_ADMIN_AUTH === 'token' && env.EY_ADMIN_TOKEN === undefined) {
    // Refusing to start beats an API that mints keys and reads every payload for anyone on the network.
    throw new ConfigError(
      CoreErrors.EY_CONFIG_INVALID,
      'config: EY_ADMIN_TOKEN: required (the admin API needs a bearer token; set EY_ADMIN_AUTH=none to run it open on purpose)',
    );
  }
  if (env.EY_ADMIN_AUTH === 'none' && env.EY_ADMIN_TOKEN !== undefined) {
    throw new ConfigError(
      CoreErrors.EY_CONFIG_INVALID,
      'config: EY_ADMIN_AUTH: is none but EY_ADMIN_TOKEN is set: unset one of them (none would ignore the token)',
    );
  }
  if (env.EY_ADMIN_TOKEN !== undefined && env.EY_ADMIN_TOKEN.length < 16) {
    throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'config: EY_ADMIN_TOKEN: must be at least 16 characters (e.g. openssl rand -hex 32)');
  }
  const tls = loadServerTlsConfig(source);
  // Parsed before the freeze and attached after it: Object.freeze refuses a Buffer (the keys).
  const secrets = loadSecretsConfig(source);
  const config = deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    /** Processor addresses and producer check-back addresses are checked against it when saved. */
    egress: loadEgressConfig(source),
    http: { host: env.EY_ADMIN_HOST, port: env.EY_ADMIN_PORT },
    /** `token`: credentials required (adminToken is set); `none`: the API is open (warned at every start). */
    auth: env.EY_ADMIN_AUTH,
    ...(tls === undefined ? {} : { tls }),
    ...(env.EY_ADMIN_TOKEN === undefined ? {} : { adminToken: env.EY_ADMIN_TOKEN }),
    bodyLimitBytes: env.EY_ADMIN_BODY_LIMIT_BYTES,
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
    secretRotationOverlapS: env.EY_SECRET_ROTATION_OVERLAP_S,
    watch: { bufferRecords: env.EY_WATCH_BUFFER_RECORDS, clientBufferBytes: env.EY_WATCH_CLIENT_BUFFER_BYTES, keepAliveMs: env.EY_WATCH_KEEPALIVE_MS },
    retention: { historyMs: env.EY_HISTORY_RETENTION_S * 1000, payloadMs: env.EY_PAYLOAD_RETENTION_S * 1000, intervalMs: env.EY_RETENTION_INTERVAL_S * 1000 },
  });
  return Object.freeze({ ...config, secrets: Object.freeze({ keyring: secrets.keyring, warnings: Object.freeze([...secrets.warnings]) }) });
}
