// The admin service assembled: the HTTP API (EvHub config routes, processor list/delete, event history,
// /openapi.json) over Postgres, and /healthz /readyz /metrics on the health port. start() and close()
// are idempotent; close() stops intake, lets requests finish, then closes the pool.
import { compileFilter } from '@eventyard/evhub';
import { createLifecycle, createMetricsRegistry, egressGuardOf, ServerTls, type App, type ComponentState, type Lifecycle, type Logger } from '@eventyard/core';
import { ApiKeyCache, checkSecretsAtStart, createKnex, type Knex } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { AdminConfig } from './config.ts';
import { createAdminAuthorizer } from './http/admin-auth.ts';
import { buildAdminServer, closeWithGrace, listen } from './http/admin-server.ts';
import { createKafkaLink, type KafkaLink } from './kafka/kafka-link.ts';
import { createAdminMetrics } from './metrics.ts';
import { createReplayRunner, type ReplayRunner } from './replay/replay-runner.ts';
import { createRetentionJob, type RetentionJob } from './retention/retention-job.ts';
import type { SseStream } from './watch/sse-stream.ts';
import { StatusFeed } from './watch/status-feed.ts';

/** Its config parser beside createApp, for whoever builds the service in-process (tests). */
export { loadConfig } from './config.ts';

/**
 * How long a key lookup is reused. Revoking through this admin clears it at once; another replica's
 * revocation (or a direct database change) takes effect within this.
 */
const KEY_CACHE_TTL_MS = 5000;

/** How often readiness re-checks the database. */
const DATABASE_CHECK_MS = 5000;

export interface AdminApp extends App {
  readonly state: ComponentState;
  /** Bound ports (after start()). */
  readonly ports: { http: number; health: number };
}

export interface AdminDeps {
  logger: Logger;
  /**
   * Checks a processor's JSON `filter` before it is saved (throw a ValidationError naming `field`).
   * @default accepts any JSON object (the schema already refuses other types)
   */
  validateFilter?: (filter: unknown, field: string) => void;
  /**
   * Run replay jobs in this process (tests that drive their own runners turn it off).
   * @default true
   */
  replayRunner?: boolean;
  /**
   * Run the history retention job in this process (when EY_HISTORY_RETENTION_S is not 0).
   * @default true
   */
  retention?: boolean;
}

/** A filter is checked when it is saved with the very compiler the router runs it with. */
function compileOnSave(filter: unknown, field: string): void {
  compileFilter(filter, {}, field);
}

export function createApp(config: Readonly<AdminConfig>, deps: AdminDeps): AdminApp {
  const log = deps.logger;
  const registry = createMetricsRegistry('admin');
  const metrics = createAdminMetrics(registry);
  const knex: Knex = createKnex(config.databaseUrl, { applicationName: 'eventyard-admin', logger: log, secrets: config.secrets.keyring });
  const kafka: KafkaLink = createKafkaLink({ kafka: config.kafka, logger: log, registry, topics: config.topics });
  const replays: ReplayRunner | undefined = deps.replayRunner === false ? undefined : createReplayRunner({ knex, kafka, logger: log });
  const retention: RetentionJob | undefined =
    deps.retention === false || config.retention.historyMs === 0
      ? undefined
      : createRetentionJob({
          databaseUrl: config.databaseUrl,
          logger: log,
          historyRetentionMs: config.retention.historyMs,
          payloadRetentionMs: config.retention.payloadMs,
          intervalMs: config.retention.intervalMs,
          deleted: metrics.retentionDeleted,
        });
  for (const warning of config.egress.warnings) log.warn(warning);
  const keys = new ApiKeyCache({ knex, logger: log, ttlMs: KEY_CACHE_TTL_MS });
  // Read now: unusable files stop the service before it listens (EY_TLS_FILES_INVALID).
  const tls = config.tls === undefined ? undefined : new ServerTls(config.tls, log);
  // One consumer of eventyard.status for every watch stream of this instance, started by the first.
  const feed = new StatusFeed({ kafka: config.kafka, topics: config.topics, logger: log, bufferRecords: config.watch.bufferRecords });
  const streams = new Set<SseStream>();
  new Gauge({
    name: 'eventyard_admin_watch_streams',
    help: 'Watch streams (Server-Sent Events) open on this admin instance',
    registers: [registry],
    collect() {
      this.set(streams.size);
    },
  });
  const server: FastifyInstance = buildAdminServer({
    knex,
    egress: egressGuardOf(config.egress),
    kafka,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(config.auth === 'none' ? {} : { authorize: createAdminAuthorizer({ keys, ...(config.adminToken === undefined ? {} : { token: config.adminToken }) }) }),
    onKeysChanged: () => keys.clear(),
    secretRotationOverlapS: config.secretRotationOverlapS,
    validateFilter: deps.validateFilter ?? compileOnSave,
    ...(replays === undefined ? {} : { wakeReplays: () => replays.wake() }),
    metrics,
    tls,
    watch: { feed, streams, options: { keepAliveMs: config.watch.keepAliveMs, maxBufferedBytes: config.watch.clientBufferBytes } },
    logger: log,
  });

  let httpPort = 0;
  let databaseOk = false;
  let databaseTimer: NodeJS.Timeout | undefined;

  const checkDatabase = async (): Promise<void> => {
    try {
      await knex.raw('SELECT 1');
      databaseOk = true;
    } catch (err) {
      if (databaseOk) log.warn({ err }, 'database unreachable');
      databaseOk = false;
    }
  };

  const lifecycle: Lifecycle = createLifecycle({
    name: 'admin',
    logger: log,
    health: {
      host: config.healthHost,
      port: config.healthPort,
      registry,
      readiness: { database: () => databaseOk, http: () => lifecycle.state === 'running' },
    },
    start: async (health) => {
      await checkDatabase();
      // A key that cannot open the stored secrets stops the service here, not at the first GET.
      await checkSecretsAtStart(knex, log, config.secrets.warnings);
      databaseTimer = setInterval(() => void checkDatabase(), DATABASE_CHECK_MS);
      databaseTimer.unref();
      httpPort = await listen(server, config.http.host, config.http.port);
      // Jobs left running by a previous admin resume from their stored cursor.
      replays?.start();
      retention?.start();
      log.info({ httpPort, healthPort: health.port, auth: config.auth, tls: tls !== undefined, mtls: config.tls?.requireClientCert === true }, 'admin ready');
      if (config.auth === 'none')
        log.warn(
          { host: config.http.host },
          'EY_ADMIN_AUTH=none: the admin API is open to anyone who can reach it (it creates processors, mints API keys and reads every payload)',
        );
    },
    stop: [
      // First: the runner stores its batch's progress and frees its lease while Kafka and Postgres are still open.
      ['stop replay jobs', () => replays?.close()],
      // A pass in progress finishes its current statement loop; its pool is its own.
      ['stop retention job', () => retention?.close()],
      [
        // Open-ended responses: the HTTP server's grace period would otherwise wait for each of them.
        'end watch streams',
        () => {
          for (const stream of [...streams]) stream.end();
        },
      ],
      [
        'stop HTTP intake',
        async () => {
          await closeWithGrace(server, config.shutdownGraceMs);
          tls?.close();
        },
      ],
      [
        'close kafka clients',
        () => {
          clearInterval(databaseTimer);
          return Promise.all([kafka.close(), feed.close()]);
        },
      ],
    ],
    release: [['close database pool', () => knex.destroy()]],
  });

  return {
    get state() {
      return lifecycle.state;
    },
    get ports() {
      return { http: httpPort, health: lifecycle.healthPort };
    },
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  };
}
