// The router's configuration: the core variables plus its own EY_* variables, parsed once from the
// environment into a frozen object (one line per bad variable on error).
import { coreEnv, coreEnvAliases, deepFreeze, field, idleFetchWaitMs, loadCoreConfig, parseEnv } from '@eventyard/core';

const routerEnv = {
  ...coreEnv,
  /** Processor configs and the event/delivery history live in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** Full reload of the processor configs, a safety net beside LISTEN/NOTIFY (which applies changes at once). */
  EY_CONFIG_RELOAD_MS: field.int(100, 3_600_000).default(5000),
  /** Consumer group of the routers on eventyard.ingest; every router instance shares it. */
  EY_ROUTER_GROUP_ID: field.string().default('eventyard-router'),
  /** Ingest partitions routed at once by one instance (order is kept within each partition). */
  EY_ROUTER_PARTITIONS_CONCURRENCY: field.int(1, 256).default(6),
  /** Most ingest records per routing round (one produce request and one insert per table per round). */
  EY_ROUTER_MAX_CHUNK_RECORDS: field.int(1, 100_000).default(1000),
  /**
   * kafkajs consumer session timeout: how long a silent (killed) router keeps its partitions; the heartbeat
   * is a tenth of it, which bounds how long a join or a clean leave pauses the group. 10 s: README "Scaling".
   */
  EY_ROUTER_SESSION_TIMEOUT_MS: field.int(6000, 300_000).default(10_000),
  /** Longest wait for the broker's acknowledgement of one routing round's records (acks = all). */
  EY_ROUTER_PRODUCE_TIMEOUT_MS: field.int(1000, 600_000).default(30_000),
  /** Most broadcast delivery tasks per produce request: a broadcast to thousands of processors goes out in batches. */
  EY_BROADCAST_BATCH_SIZE: field.int(1, 100_000).default(500),
  /** Broadcast tasks produced per second by one router instance (a token bucket); 0 = unlimited. Normal events are not paced. */
  EY_BROADCAST_RATE_PER_S: field.int(0, 10_000_000).default(5000),
  /** How often routed offsets are committed (also at shutdown); after a crash at most this much is routed again. */
  EY_ROUTER_COMMIT_INTERVAL_MS: field.int(10, 60_000).default(200),
  /**
   * Routed records that start a commit before EY_ROUTER_COMMIT_INTERVAL_MS is up: after a crash, at most
   * about this many (plus the rounds in flight) are routed again, however fast the router was going, while
   * a router below this many per interval commits on the timer alone. 0 = the timer alone.
   */
  EY_ROUTER_COMMIT_RECORDS: field.int(0, 1_000_000).default(100),
  /**
   * Bytes of ingest records a fetch waits for before the broker answers (Kafka's fetch.min.bytes), up to
   * EY_ROUTER_FETCH_MAX_WAIT_MS: larger rounds at the cost of up to that wait per event. 1 = answer as
   * soon as anything arrived (no added latency).
   */
  EY_ROUTER_FETCH_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(1),
  /** Longest a fetch waits for EY_ROUTER_FETCH_MIN_BYTES (and an idle poll's length, which is what it costs when low). */
  EY_ROUTER_FETCH_MAX_WAIT_MS: field.int(1, 30_000).default(1000),
  /**
   * Longest idle poll: each fetch that brings nothing doubles the next one's wait, from
   * EY_ROUTER_FETCH_MAX_WAIT_MS up to this; one with records resets it (a poll answers as soon as a record
   * arrives, so no latency is added). Held below half EY_ROUTER_SESSION_TIMEOUT_MS: an idle member notices
   * a rebalance only when its poll returns. README "Idle".
   */
  EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: field.int(1, 30_000).default(5000),
  /**
   * The batching window under load: after a fetch that brought two ingest records or more (they arrive
   * faster than the fetch loop turns), the next one waits for this many bytes, up to
   * EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS; a fetch with fewer goes back to answering at once. So rounds grow
   * under load (fewer produces, history statements and wake-ups per event) and a quiet router pays
   * nothing. 1 = no window. README "Performance".
   */
  EY_ROUTER_FETCH_BUSY_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(8192),
  /** The longest a busy fetch waits for EY_ROUTER_FETCH_BUSY_MIN_BYTES. */
  EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS: field.int(1, 1000).default(5),
  /**
   * A longer window at a high rate: while ingest records arrive at this many per second or more (the
   * broker's recent answers, decayed over ~100 ms), a fetch of two records or more waits for
   * EY_ROUTER_FETCH_LOADED_MIN_BYTES, up to EY_ROUTER_FETCH_LOADED_MAX_WAIT_MS, instead of the busy window.
   * Far fewer fetches, rounds, produces and history statements per event where the rate fills the window,
   * nothing changed below the rate. The rate is per broker the router fetches from. 0 = no such tier.
   * A router this fast routes more per commit interval, so EY_ROUTER_COMMIT_RECORDS bounds what a crash
   * routes again (README "Performance").
   */
  EY_ROUTER_FETCH_LOADED_RATE: field.int(0, 10_000_000).default(800),
  /** Bytes a fetch at a high rate waits for (EY_ROUTER_FETCH_LOADED_RATE). */
  EY_ROUTER_FETCH_LOADED_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(65_536),
  /** The longest a fetch at a high rate waits for EY_ROUTER_FETCH_LOADED_MIN_BYTES. */
  EY_ROUTER_FETCH_LOADED_MAX_WAIT_MS: field.int(1, 1000).default(20),
};

/** The router's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type RouterConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(routerEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  return deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    configReloadMs: env.EY_CONFIG_RELOAD_MS,
    groupId: env.EY_ROUTER_GROUP_ID,
    partitionsConcurrency: env.EY_ROUTER_PARTITIONS_CONCURRENCY,
    maxChunkRecords: env.EY_ROUTER_MAX_CHUNK_RECORDS,
    sessionTimeoutMs: env.EY_ROUTER_SESSION_TIMEOUT_MS,
    produceTimeoutMs: env.EY_ROUTER_PRODUCE_TIMEOUT_MS,
    broadcast: { batchSize: env.EY_BROADCAST_BATCH_SIZE, ratePerS: env.EY_BROADCAST_RATE_PER_S },
    commitIntervalMs: env.EY_ROUTER_COMMIT_INTERVAL_MS,
    commitRecords: env.EY_ROUTER_COMMIT_RECORDS,
    fetch: {
      minBytes: env.EY_ROUTER_FETCH_MIN_BYTES,
      maxWaitMs: env.EY_ROUTER_FETCH_MAX_WAIT_MS,
      idleMaxWaitMs: idleFetchWaitMs(env.EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS, env.EY_ROUTER_FETCH_MAX_WAIT_MS, env.EY_ROUTER_SESSION_TIMEOUT_MS),
      busyMinBytes: env.EY_ROUTER_FETCH_BUSY_MIN_BYTES,
      busyMaxWaitMs: env.EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS,
      loadedRate: env.EY_ROUTER_FETCH_LOADED_RATE,
      loadedMinBytes: env.EY_ROUTER_FETCH_LOADED_MIN_BYTES,
      loadedMaxWaitMs: env.EY_ROUTER_FETCH_LOADED_MAX_WAIT_MS,
    },
  });
}
