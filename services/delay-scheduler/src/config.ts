// The delay-scheduler's configuration: the core variables plus its own EY_SCHEDULER_* variables, parsed
// once from the environment into a frozen object (one line per bad variable on error).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  CoreErrors,
  coreEnv,
  coreEnvAliases,
  deepFreeze,
  egressEnv,
  field,
  idleFetchWaitMs,
  loadCoreConfig,
  loadEgressConfig,
  parseEnv,
} from '@eventyard/core';

const schedulerEnv = {
  ...coreEnv,
  /** Timers live in Postgres: required. */
  EY_DATABASE_URL: field.postgresUrl(),
  /** Consumer group on eventyard.schedule; every scheduler instance joins the same one. */
  EY_SCHEDULER_GROUP_ID: field.string().default('eventyard-scheduler'),
  /** Names this instance's claims in the schedules table; unique per process. @default host:pid:random */
  EY_SCHEDULER_INSTANCE_ID: field.string().optional(),
  /**
   * Session timeout on eventyard.schedule's consumer group: a killed instance's partitions move after it
   * (the heartbeat is a tenth of it). See README "Scaling" for the trade.
   */
  EY_SCHEDULER_SESSION_TIMEOUT_MS: field.int(6000, 300_000).default(10_000),
  /** Timers due within this horizon are claimed ahead and fired from memory on their due time. */
  EY_SCHEDULER_LOOKAHEAD_MS: field.int(0, 600_000).default(5000),
  /** How often the schedules table is polled for newly due / near-due timers. */
  EY_SCHEDULER_POLL_MS: field.int(10, 600_000).default(500),
  /**
   * Longest poll interval once polls that claim nothing have backed it off (doubling from
   * EY_SCHEDULER_POLL_MS); held below EY_SCHEDULER_LOOKAHEAD_MS / 2 so a stored timer is still claimed
   * before it is due. Timers this instance consumes wake it at once.
   */
  EY_SCHEDULER_IDLE_POLL_MS: field.int(10, 600_000).default(2000),
  /** How long a claim holds before another instance may take the timer (a crashed instance's timers come back after it). */
  EY_SCHEDULER_CLAIM_MS: field.int(1000, 3_600_000).default(30_000),
  /** Most timers claimed per poll (and fired per produce request). */
  EY_SCHEDULER_BATCH_SIZE: field.int(1, 10_000).default(500),
  /** Most claimed timers held in memory at once. */
  EY_SCHEDULER_MAX_HELD: field.int(1, 1_000_000).default(20_000),
  /** First retry delay after a failed produce; doubles per failure of the same timer. */
  EY_SCHEDULER_RETRY_BASE_MS: field.int(1, 60_000).default(200),
  /** Longest retry delay after failed produces (kept well under the claim lease). */
  EY_SCHEDULER_RETRY_MAX_MS: field.int(1, 600_000).default(10_000),
  /** Longest a fetch of eventyard.schedule waits for new records; also bounds how long stopping the consumer takes. */
  EY_SCHEDULER_FETCH_MAX_WAIT_MS: field.int(10, 30_000).default(1000),
  /**
   * Longest idle poll of eventyard.schedule: each fetch that brings nothing doubles the next one's wait,
   * from EY_SCHEDULER_FETCH_MAX_WAIT_MS up to this; one with records resets it (no latency added: a poll
   * answers as soon as a record arrives). Held below half EY_SCHEDULER_SESSION_TIMEOUT_MS.
   */
  EY_SCHEDULER_FETCH_IDLE_MAX_WAIT_MS: field.int(10, 30_000).default(5000),
  /** Longest wait for the broker's acknowledgement of one produce request. */
  EY_SCHEDULER_PRODUCE_TIMEOUT_MS: field.int(100, 600_000).default(10_000),
  /** How often due transaction check-backs are looked for. */
  EY_TX_CHECK_POLL_MS: field.int(10, 600_000).default(1000),
  /** Longest check-back poll interval once polls that find none have backed it off (doubling from EY_TX_CHECK_POLL_MS). */
  EY_TX_CHECK_IDLE_POLL_MS: field.int(10, 600_000).default(5000),
  /** Most transactions claimed and checked concurrently per poll. */
  EY_TX_CHECK_BATCH_SIZE: field.int(1, 10_000).default(100),
  /** How long a claimed check-back holds before another instance may retry it; a call's deadline is at most half of it. */
  EY_TX_CHECK_LEASE_MS: field.int(1000, 3_600_000).default(60_000),
  /** Inconclusive check-backs (no answer, error, unknown status) before the transaction is rolled back as expired. */
  EY_TX_CHECK_MAX_ATTEMPTS: field.int(1, 1000).default(10),
  /** Longest wait between two check-backs of one transaction (the callback interval doubles per inconclusive one). */
  EY_TX_CHECK_BACKOFF_MAX_MS: field.int(100, 30 * 24 * 3600 * 1000).default(3_600_000),
  /** EY_EGRESS_ALLOW, EY_EGRESS_DENY (and the deprecated EY_ALLOW_PRIVATE_TARGETS): which check-back addresses may be reached. */
  ...egressEnv,
};

/** The delay-scheduler's configuration (the core's and its own), as loadConfig builds it from the variables above. */
export type SchedulerConfig = ReturnType<typeof loadConfig>;

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>) {
  const env = parseEnv(schedulerEnv, source, coreEnvAliases);
  const core = loadCoreConfig(source);
  const problems: string[] = [];
  // A held timer must fire (or be released) before its claim lapses, or another instance fires it too.
  if (env.EY_SCHEDULER_CLAIM_MS < env.EY_SCHEDULER_LOOKAHEAD_MS + env.EY_SCHEDULER_RETRY_MAX_MS + env.EY_SCHEDULER_PRODUCE_TIMEOUT_MS) {
    problems.push('config: EY_SCHEDULER_CLAIM_MS: must be at least EY_SCHEDULER_LOOKAHEAD_MS + EY_SCHEDULER_RETRY_MAX_MS + EY_SCHEDULER_PRODUCE_TIMEOUT_MS');
  }
  if (env.EY_SCHEDULER_RETRY_MAX_MS < env.EY_SCHEDULER_RETRY_BASE_MS) {
    problems.push('config: EY_SCHEDULER_RETRY_MAX_MS: must be at least EY_SCHEDULER_RETRY_BASE_MS');
  }
  if (problems.length > 0) throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, problems.join('\n'), { context: { variables: problems } });
  return deepFreeze({
    ...core,
    databaseUrl: env.EY_DATABASE_URL,
    groupId: env.EY_SCHEDULER_GROUP_ID,
    instanceId: env.EY_SCHEDULER_INSTANCE_ID ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    lookaheadMs: env.EY_SCHEDULER_LOOKAHEAD_MS,
    pollMs: env.EY_SCHEDULER_POLL_MS,
    // A timer enters the lookahead window lookaheadMs before it is due; polling at least twice within it
    // claims it ahead of time even when nothing woke this instance.
    idlePollMs: Math.max(env.EY_SCHEDULER_POLL_MS, Math.min(env.EY_SCHEDULER_IDLE_POLL_MS, Math.floor(env.EY_SCHEDULER_LOOKAHEAD_MS / 2))),
    claimMs: env.EY_SCHEDULER_CLAIM_MS,
    batchSize: env.EY_SCHEDULER_BATCH_SIZE,
    maxHeld: env.EY_SCHEDULER_MAX_HELD,
    retryBaseMs: env.EY_SCHEDULER_RETRY_BASE_MS,
    retryMaxMs: env.EY_SCHEDULER_RETRY_MAX_MS,
    produceTimeoutMs: env.EY_SCHEDULER_PRODUCE_TIMEOUT_MS,
    fetchMaxWaitMs: env.EY_SCHEDULER_FETCH_MAX_WAIT_MS,
    fetchIdleMaxWaitMs: idleFetchWaitMs(env.EY_SCHEDULER_FETCH_IDLE_MAX_WAIT_MS, env.EY_SCHEDULER_FETCH_MAX_WAIT_MS, env.EY_SCHEDULER_SESSION_TIMEOUT_MS),
    sessionTimeoutMs: env.EY_SCHEDULER_SESSION_TIMEOUT_MS,
    txCheck: {
      pollMs: env.EY_TX_CHECK_POLL_MS,
      idlePollMs: env.EY_TX_CHECK_IDLE_POLL_MS,
      batchSize: env.EY_TX_CHECK_BATCH_SIZE,
      leaseMs: env.EY_TX_CHECK_LEASE_MS,
      maxAttempts: env.EY_TX_CHECK_MAX_ATTEMPTS,
      backoffMaxMs: env.EY_TX_CHECK_BACKOFF_MAX_MS,
    },
    /** The egress guard's lists for check-backs. */
    egress: loadEgressConfig(source),
  });
}
