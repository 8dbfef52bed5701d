// The producer's configuration: the core variables plus its own EY_* variables, parsed once from the
// environment into a frozen object (one line per bad variable on error).
import { coreEnv, coreEnvAliases, deepFreeze, field, loadCoreConfig, parseEnv } from '@eventyard/core';

const producerEnv = {
  ...coreEnv,
  /** The producer records idempotency keys and leases its node id in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** gRPC `evhub_producer.evhubProducer` (+ health, reflection). EvHub's default is 9000. 0 = any free port. */
  EY_GRPC_PORT: field.port().default(9000),
  EY_GRPC_HOST: field.string().default('0.0.0.0'),
  /** HTTP mirror `POST /v1/report`. EvHub's default is 8083. 0 = any free port. */
  EY_HTTP_PORT: field.port().default(8083),
  EY_HTTP_HOST: field.string().default('0.0.0.0'),
  /** Largest `event.data` accepted, in bytes (1 MiB). Keep it below the topics' max.message.bytes minus ~1 KiB. */
  EY_MAX_EVENT_BYTES: field.int(1, 64 * 1024 * 1024).default(1024 * 1024),
  /** How long a Report waits for the broker's acknowledgement before answering 20000. */
  EY_PUBLISH_TIMEOUT_MS: field.int(100, 600_000).default(5000),
  /**
   * `authorization: Bearer <api key>` (gRPC metadata / HTTP header) scoped to the event's app_id:
   * `auto` requires one as soon as any active key exists (anonymous Reports until then), `true` always,
   * `false` never (broadcasts need a key in every mode). `1`/`0` mean true/false.
   */
  EY_REQUIRE_API_KEY: field
    .oneOf(['auto', 'true', 'false', '1', '0'])
    .transform((s): ApiKeyMode => (s === '1' ? 'true' : s === '0' ? 'false' : s))
    .default('auto'),
  /** How often `auto` mode re-checks whether any active API key exists (beside the api_keys NOTIFY, for expiries and lost notifications). */
  EY_API_KEY_POLL_MS: field.int(100, 3_600_000).default(5000),
  /** Idempotency window used when `option.idempotent.idempotent_time` is absent or zero (24 h). */
  EY_IDEMPOTENCY_DEFAULT_WINDOW_MS: field.int(1000, 30 * 24 * 3600 * 1000).default(24 * 3600 * 1000),
  /** Lifetime of the node-id lease that makes event ids unique; renewed every third of it. */
  EY_NODE_ID_LEASE_TTL_MS: field.int(1000, 3_600_000).default(30_000),
  /** Most records in one Kafka produce request of the Report micro-batcher. */
  EY_PUBLISH_BATCH_MAX_RECORDS: field.int(1, 100_000).default(500),
  /** Most bytes of record values in one produce request (a larger single record goes alone). */
  EY_PUBLISH_BATCH_MAX_BYTES: field.int(1024, 64 * 1024 * 1024).default(512 * 1024),
  /**
   * Produce requests in flight at once; Reports arriving meanwhile wait and share the next request. 1 is
   * fastest (test/bench/publish.bench.ts): kafkajs's idempotent producer sends one request per broker at a time.
   */
  EY_PUBLISH_MAX_IN_FLIGHT: field.int(1, 64).default(1),
  /** How long shutdown lets in-flight gRPC/HTTP calls finish before cutting them. */
  EY_SHUTDOWN_GRACE_MS: field.int(0, 600_000).default(10_000),
};

/** EY_REQUIRE_API_KEY: see producerEnv. */
export type ApiKeyMode = 'auto' | 'true' | 'false';

/** The producer's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type ProducerConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(producerEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  return deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    grpc: { host: env.EY_GRPC_HOST, port: env.EY_GRPC_PORT },
    http: { host: env.EY_HTTP_HOST, port: env.EY_HTTP_PORT },
    maxEventBytes: env.EY_MAX_EVENT_BYTES,
    publishTimeoutMs: env.EY_PUBLISH_TIMEOUT_MS,
    requireApiKey: env.EY_REQUIRE_API_KEY,
    apiKeyPollMs: env.EY_API_KEY_POLL_MS,
    idempotencyDefaultWindowMs: env.EY_IDEMPOTENCY_DEFAULT_WINDOW_MS,
    nodeIdLeaseTtlMs: env.EY_NODE_ID_LEASE_TTL_MS,
    batch: { maxRecords: env.EY_PUBLISH_BATCH_MAX_RECORDS, maxBytes: env.EY_PUBLISH_BATCH_MAX_BYTES, maxInFlight: env.EY_PUBLISH_MAX_IN_FLIGHT },
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
  });
}
