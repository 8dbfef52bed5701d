// The producer's configuration: the core variables plus its own EY_* variables, parsed once from the
// environment into a frozen object (one line per bad variable on error).
import { coreEnv, coreEnvAliases, deepFreeze, field, loadCoreConfig, loadServerTlsConfig, parseEnv, tlsEnv } from '@eventyard/core';

const producerEnv = {
  ...coreEnv,
  /** EY_TLS_*: the certificate both intake listeners (gRPC and HTTP) serve; unset = plaintext. */
  ...tlsEnv,
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
   * `authorization: Bearer <api key>` (gRPC metadata / HTTP header) scoped to the event's app_id: `true`
   * (the default) on every Report unless the producer config of the event's (app_id, topic_id) says
   * `anonymous: true`; `false` never (a development producer; broadcasts need a key in every mode).
   * `1`/`0` mean true/false. The former `auto` (anonymous until a key existed, and again once the last one
   * was revoked) is refused by name: it opened ingest silently.
   */
  EY_REQUIRE_API_KEY: field
    .string()
    .refine((s) => s !== 'auto', {
      message:
        'auto was removed (it accepted anonymous Reports whenever no API key existed): set true, or false for a development producer, and grant anonymous Reports per app with the producer config field `anonymous: true`',
    })
    .refine((s) => s === 'auto' || ['true', 'false', '1', '0'].includes(s), { message: 'must be true, false, 1 or 0' })
    .transform((s) => s === 'true' || s === '1')
    .default(true),
  /** How often the API key watch re-reads the keys and producer configs (beside NOTIFY, for expiries and lost notifications). */
  EY_API_KEY_POLL_MS: field.int(100, 3_600_000).default(5000),
  /** Failed API key lookups (unknown, revoked, expired key) one client address may make per EY_AUTH_FAILURE_WINDOW_MS before its uncached keys are refused unchecked. */
  EY_AUTH_FAILURE_LIMIT: field.int(1, 1_000_000).default(20),
  /** The window of EY_AUTH_FAILURE_LIMIT: the allowance refills continuously over it. */
  EY_AUTH_FAILURE_WINDOW_MS: field.int(1000, 3_600_000).default(60_000),
  /** How often each producer re-counts the live producers that share every `qps` (node-id leases). */
  EY_QPS_INSTANCES_REFRESH_MS: field.int(500, 600_000).default(5000),
  /** Shortest repeat interval (regular_pulser.interval, or the gap between crontab occurrences). */
  EY_REPEAT_MIN_INTERVAL_MS: field.int(1000, 30 * 24 * 3600 * 1000).default(1000),
  /**
   * Most occurrences of one repeat event (END_BY_COUNT's repeat_times; END_BY_TIMESTAMP's implied count).
   * A chain without end (repeat_times 0) exceeds it. 0 = no limit (unbounded chains allowed). Off by
   * default: EvHub accepts repeats without end, and its clients must keep working unchanged; an operator
   * who wants the bound sets it (pending timers per app still bound what one app can hold).
   */
  EY_REPEAT_MAX_OCCURRENCES: field.int(0, 100_000_000).default(0),
  /** Latest a repeat's last occurrence may be, from the Report. 0 = no limit (the default, as EvHub). */
  EY_REPEAT_MAX_HORIZON_MS: field.int(0, 100 * 365 * 24 * 3600 * 1000).default(0),
  /** Longest delay_time of a delay or delay-process entry (default and maximum 30 days, EvHub's own limit). */
  EY_MAX_DELAY_MS: field.int(1000, 30 * 24 * 3600 * 1000).default(30 * 24 * 3600 * 1000),
  /** Pending timers of delayed Reports per app_id; a delay / repeat / delay-process Report beyond it is refused. */
  EY_MAX_PENDING_TIMERS_PER_APP: field.int(1, 1_000_000_000).default(1_000_000),
  /** Transactions in PREPARE per app_id; a Prepare beyond it is refused. */
  EY_MAX_OPEN_TRANSACTIONS_PER_APP: field.int(1, 1_000_000_000).default(100_000),
  /** How long a per-app count (pending timers, open transactions) is reused before Postgres is asked again. */
  EY_QUOTA_COUNT_CACHE_MS: field.int(0, 600_000).default(2000),
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
   * fastest (bench/publish/run.ts): kafkajs's idempotent producer sends one request per broker at a time.
   */
  EY_PUBLISH_MAX_IN_FLIGHT: field.int(1, 64).default(1),
  /**
   * At a high rate (EY_PUBLISH_LINGER_RATE), how long a batch of Reports waits for company from its oldest
   * Report (or until it is full) before its produce request: several Reports per request instead of the
   * one or two that arrive during a round trip. Adds up to this much to a Report's answer, at that rate
   * only. 0 = never. README "Performance".
   */
  EY_PUBLISH_LINGER_MS: field.int(0, 1000).default(5),
  /** Reports per second (recent arrivals, decayed over ~100 ms) at or above which batches linger. */
  EY_PUBLISH_LINGER_RATE: field.int(0, 10_000_000).default(800),
  /**
   * Read the Kafka topics declared as sources (`/v1/sources`) and turn their records into events. Every
   * producer instance joins each source's consumer group, so the partitions spread over them; `false`
   * leaves sources to other instances (or stops them all).
   */
  EY_SOURCES_ENABLED: field.bool().default(true),
  /** How often the sources are re-read besides NOTIFY (a safety net for lost notifications). */
  EY_SOURCES_RELOAD_MS: field.int(100, 3_600_000).default(10_000),
  /** How long shutdown lets in-flight gRPC/HTTP calls finish before cutting them. */
  EY_SHUTDOWN_GRACE_MS: field.int(0, 600_000).default(10_000),
};

/** The quota settings (see producerEnv); each refusal names its variable. */
export interface QuotaLimits {
  qpsInstancesRefreshMs: number;
  repeatMinIntervalMs: number;
  repeatMaxOccurrences: number;
  repeatMaxHorizonMs: number;
  maxDelayMs: number;
  maxPendingTimersPerApp: number;
  maxOpenTransactionsPerApp: number;
  countCacheMs: number;
}

/** The producer's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type ProducerConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(producerEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  const tls = loadServerTlsConfig(source);
  return deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    grpc: { host: env.EY_GRPC_HOST, port: env.EY_GRPC_PORT },
    http: { host: env.EY_HTTP_HOST, port: env.EY_HTTP_PORT },
    ...(tls === undefined ? {} : { tls }),
    maxEventBytes: env.EY_MAX_EVENT_BYTES,
    publishTimeoutMs: env.EY_PUBLISH_TIMEOUT_MS,
    requireApiKey: env.EY_REQUIRE_API_KEY,
    apiKeyPollMs: env.EY_API_KEY_POLL_MS,
    authFailures: { limit: env.EY_AUTH_FAILURE_LIMIT, windowMs: env.EY_AUTH_FAILURE_WINDOW_MS },
    quotas: {
      qpsInstancesRefreshMs: env.EY_QPS_INSTANCES_REFRESH_MS,
      repeatMinIntervalMs: env.EY_REPEAT_MIN_INTERVAL_MS,
      repeatMaxOccurrences: env.EY_REPEAT_MAX_OCCURRENCES,
      repeatMaxHorizonMs: env.EY_REPEAT_MAX_HORIZON_MS,
      maxDelayMs: env.EY_MAX_DELAY_MS,
      maxPendingTimersPerApp: env.EY_MAX_PENDING_TIMERS_PER_APP,
      maxOpenTransactionsPerApp: env.EY_MAX_OPEN_TRANSACTIONS_PER_APP,
      countCacheMs: env.EY_QUOTA_COUNT_CACHE_MS,
    },
    idempotencyDefaultWindowMs: env.EY_IDEMPOTENCY_DEFAULT_WINDOW_MS,
    nodeIdLeaseTtlMs: env.EY_NODE_ID_LEASE_TTL_MS,
    batch: {
      maxRecords: env.EY_PUBLISH_BATCH_MAX_RECORDS,
      maxBytes: env.EY_PUBLISH_BATCH_MAX_BYTES,
      maxInFlight: env.EY_PUBLISH_MAX_IN_FLIGHT,
      lingerMs: env.EY_PUBLISH_LINGER_MS,
      lingerRate: env.EY_PUBLISH_LINGER_RATE,
    },
    sources: {
      enabled: env.EY_SOURCES_ENABLED,
      reloadMs: env.EY_SOURCES_RELOAD_MS,
      /** Reads the environment variables a source's `cluster.sasl.*_env` names (never stored, never logged). */
      env: (name: string): string | undefined => source[name],
    },
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
  });
}
