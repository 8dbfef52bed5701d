// The dispatcher's configuration: the core variables plus its own EY_* variables, parsed once from the
// environment into a frozen object (one line per bad variable on error).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  coreEnv,
  coreEnvAliases,
  deepFreeze,
  egressEnv,
  field,
  idleFetchWaitMs,
  loadCoreConfig,
  loadEgressConfig,
  loadSecretsConfig,
  parseEnv,
  secretsEnv,
} from '@eventyard/core';

const dispatcherEnv = {
  ...coreEnv,
  /** Processor configs and delivery history live in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** Deadline of one Dispatch call / webhook POST when the processor's `timeout` is 0. */
  EY_DISPATCH_DEFAULT_TIMEOUT_MS: field.int(1, 3_600_000).default(5000),
  /**
   * Deliveries of one processor running at once when its `concurrency` is 0. It caps the processor's rate
   * per dispatcher at concurrency ÷ call latency: 16 (the former default) queued deliveries for seconds at
   * 1,000 events/s once calls took 16 ms on a busy machine (README, issue #16's fifth pass).
   */
  EY_DISPATCH_DEFAULT_CONCURRENCY: field.int(1, 100_000).default(64),
  /**
   * Records of one partition taken from Kafka and not yet finished (running, waiting for a slot, or
   * waiting behind an earlier record of their key). When reached, the partition is paused until half drain.
   */
  EY_DISPATCH_MAX_IN_FLIGHT_PER_PARTITION: field.int(1, 100_000).default(256),
  /**
   * How soon after a delivery finishes the moved watermarks are committed (also before a rebalance and at
   * shutdown); no timer runs while none finishes. What finished since the last commit is delivered again
   * after a crash: at 64 deliveries at once, 100 ms (was 250) brought the duplicates of
   * test/e2e/dispatcher-kill.test.ts from a median of ~138 to ~70 per kill, for at most 10 OffsetCommit
   * requests a second per processor under load.
   */
  EY_DISPATCH_COMMIT_INTERVAL_MS: field.int(10, 60_000).default(100),
  /**
   * Group commit of attempt records: while a transaction runs, how long finished attempts wait for others
   * to share the next one (with none running they are written at once), and how many transactions run at
   * once (each holds a pool connection; while all are busy, finished attempts gather into larger batches).
   */
  EY_DISPATCH_ATTEMPT_LINGER_MS: field.int(0, 1000).default(2),
  EY_DISPATCH_ATTEMPT_TRANSACTIONS: field.int(1, 16).default(4),
  /**
   * How long an attempt's status change waits for others to share its eventyard.status produce. Nothing
   * waits for it but offset commits (at most EY_DISPATCH_COMMIT_INTERVAL_MS apart, and they send what is
   * waiting): watchers see the change up to this much later.
   */
  EY_DISPATCH_STATUS_LINGER_MS: field.int(0, 1000).default(20),
  /** Long-poll wait of a fetch; also the sleep of a consumer whose partitions are all paused (cut short by a resume). */
  EY_DISPATCH_FETCH_MAX_WAIT_MS: field.int(10, 30_000).default(250),
  /**
   * Longest idle poll: each fetch that brings nothing doubles the next one's wait, from
   * EY_DISPATCH_FETCH_MAX_WAIT_MS up to this; one with records (or a paused partition) resets it. A poll
   * answers as soon as a record arrives, so no latency is added. Held below half
   * EY_DISPATCH_SESSION_TIMEOUT_MS: an idle member notices a rebalance only when its poll returns.
   */
  EY_DISPATCH_FETCH_IDLE_MAX_WAIT_MS: field.int(10, 30_000).default(5000),
  /** Bytes of delivery records a fetch waits for (up to EY_DISPATCH_FETCH_MAX_WAIT_MS) before the broker answers; 1 = at once. */
  EY_DISPATCH_FETCH_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(1),
  /**
   * The batching window under load: after a fetch that brought two delivery records or more (they arrive
   * faster than the fetch loop turns), the next one waits for this many bytes, up to
   * EY_DISPATCH_FETCH_BUSY_MAX_WAIT_MS; a fetch with fewer goes back to answering at once. So a busy
   * processor's records come in larger fetches, each a wake-up and a request less per record, and a quiet
   * one pays nothing. 1 = no window, the default: the router's window (EY_ROUTER_FETCH_BUSY_*) already
   * hands the dispatcher larger fetches, and on top of it this one saved nothing at 500/s (dispatcher CPU
   * per event 1.00×) and 3% at 1,000/s, for 3 ms more p50 at 500/s; a killed dispatcher also redelivered
   * more with it unless offsets were committed more often. README "Performance".
   */
  EY_DISPATCH_FETCH_BUSY_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(1),
  /** The longest a busy fetch waits for EY_DISPATCH_FETCH_BUSY_MIN_BYTES. */
  EY_DISPATCH_FETCH_BUSY_MAX_WAIT_MS: field.int(1, 1000).default(5),
  /**
   * A longer window at a high rate: while a processor's delivery records arrive at this many per second
   * or more (the broker's recent answers, decayed over ~100 ms), a fetch of two records or more waits for
   * EY_DISPATCH_FETCH_LOADED_MIN_BYTES, up to EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS, instead of the busy
   * window: larger attempt batches and fewer fetches where the rate fills the window, nothing changed
   * below it. 0 = no such tier. The rate is per processor and broker. At 1,000/s on two cores: the
   * stack's CPU per event 0.91x (the dispatcher's 0.77x), p50 +13.5 ms, p99 no worse; a killed
   * dispatcher's duplicates within their usual spread (README "Performance").
   */
  EY_DISPATCH_FETCH_LOADED_RATE: field.int(0, 10_000_000).default(800),
  /** Bytes a fetch at a high rate waits for (EY_DISPATCH_FETCH_LOADED_RATE). */
  EY_DISPATCH_FETCH_LOADED_MIN_BYTES: field.int(1, 64 * 1024 * 1024).default(65_536),
  /** The longest a fetch at a high rate waits for EY_DISPATCH_FETCH_LOADED_MIN_BYTES. */
  EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS: field.int(1, 1000).default(20),
  /**
   * Consumer group session timeout (a dead dispatcher's partitions move after this); the heartbeat is a
   * tenth of it, which bounds how long a join or a clean leave pauses the group. 10 s: README "Scaling".
   */
  EY_DISPATCH_SESSION_TIMEOUT_MS: field.int(6000, 300_000).default(10_000),
  /** Safety-net full reload of processor configs (changes normally arrive within ms through LISTEN/NOTIFY). */
  EY_CONFIG_RELOAD_MS: field.int(100, 3_600_000).default(10_000),
  /** EY_EGRESS_ALLOW, EY_EGRESS_DENY and the deprecated EY_ALLOW_PRIVATE_TARGETS: which processor addresses may be reached. */
  ...egressEnv,
  /** EY_SECRETS_KEY / EY_SECRETS_KEY_PREVIOUS: open the processors' sealed webhook secrets and auth tokens. */
  ...secretsEnv,
  /** Most bytes of a webhook response read (for `ret.code`, `pass_back` and the recorded excerpt); the rest is discarded. */
  EY_HTTP_MAX_RESPONSE_BYTES: field.int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** Keep-alive connections per webhook origin. */
  EY_HTTP_CONNECTIONS_PER_ORIGIN: field.int(1, 10_000).default(64),
  /** Names this instance's circuit-breaker rows in Postgres (processor health); default host:pid:random. */
  EY_DISPATCHER_INSTANCE_ID: field.string().optional(),
  /** How long shutdown lets in-flight deliveries finish before abandoning them (they are re-read after restart). */
  EY_SHUTDOWN_GRACE_MS: field.int(0, 600_000).default(10_000),
};

/** The dispatcher's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type DispatcherConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(dispatcherEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  // Parsed before the freeze and attached after it: Object.freeze refuses a Buffer (the keys).
  const secrets = loadSecretsConfig(source);
  const config = deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    dispatch: {
      defaultTimeoutMs: env.EY_DISPATCH_DEFAULT_TIMEOUT_MS,
      defaultConcurrency: env.EY_DISPATCH_DEFAULT_CONCURRENCY,
      maxInFlightPerPartition: env.EY_DISPATCH_MAX_IN_FLIGHT_PER_PARTITION,
      commitIntervalMs: env.EY_DISPATCH_COMMIT_INTERVAL_MS,
      attemptLingerMs: env.EY_DISPATCH_ATTEMPT_LINGER_MS,
      attemptTransactions: env.EY_DISPATCH_ATTEMPT_TRANSACTIONS,
      statusLingerMs: env.EY_DISPATCH_STATUS_LINGER_MS,
      fetchMaxWaitMs: env.EY_DISPATCH_FETCH_MAX_WAIT_MS,
      fetchIdleMaxWaitMs: idleFetchWaitMs(env.EY_DISPATCH_FETCH_IDLE_MAX_WAIT_MS, env.EY_DISPATCH_FETCH_MAX_WAIT_MS, env.EY_DISPATCH_SESSION_TIMEOUT_MS),
      fetchMinBytes: env.EY_DISPATCH_FETCH_MIN_BYTES,
      fetchBusyMinBytes: env.EY_DISPATCH_FETCH_BUSY_MIN_BYTES,
      fetchBusyMaxWaitMs: env.EY_DISPATCH_FETCH_BUSY_MAX_WAIT_MS,
      fetchLoadedRate: env.EY_DISPATCH_FETCH_LOADED_RATE,
      fetchLoadedMinBytes: env.EY_DISPATCH_FETCH_LOADED_MIN_BYTES,
      fetchLoadedMaxWaitMs: env.EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS,
      sessionTimeoutMs: env.EY_DISPATCH_SESSION_TIMEOUT_MS,
    },
    configReloadMs: env.EY_CONFIG_RELOAD_MS,
    http: {
      maxResponseBytes: env.EY_HTTP_MAX_RESPONSE_BYTES,
      connectionsPerOrigin: env.EY_HTTP_CONNECTIONS_PER_ORIGIN,
    },
    /** The egress guard's lists, for Dispatch calls and webhooks alike. */
    egress: loadEgressConfig(source),
    shutdownGraceMs: env.EY_SHUTDOWN_GRACE_MS,
    instanceId: env.EY_DISPATCHER_INSTANCE_ID ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
  });
  return Object.freeze({ ...config, secrets: Object.freeze({ keyring: secrets.keyring, warnings: Object.freeze([...secrets.warnings]) }) });
}
