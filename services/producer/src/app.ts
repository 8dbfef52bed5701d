// The producer service assembled: Postgres (node-id lease, idempotency keys, API keys, transactions and
// their outbox), the Kafka publisher, ReportService and TransactionService, and three listeners (gRPC,
// HTTP mirror, health/metrics). start() and close() are idempotent; close() runs STYLE.md's shutdown order.
import {
  createKafka,
  createLifecycle,
  createMetricsRegistry,
  ensureTopics,
  ServerTls,
  Topics,
  type App,
  type ComponentState,
  type Logger,
} from '@eventyard/core';
import { createKnex, startNodeIdLease, type Knex, type RunningNodeIdLease } from '@eventyard/db';
import { hostname } from 'node:os';
import { ApiKeyAuth } from './auth/api-key-auth.ts';
import { ApiKeyWatch } from './auth/key-watch.ts';
import type { ProducerConfig } from './config.ts';
import { startGrpcServer, type GrpcServer } from './edge/grpc-server.ts';
import { startHttpServer, type HttpServer } from './edge/http-server.ts';
import { createProducerMetrics } from './metrics.ts';
import { ProducerSettings } from './quota/producer-settings.ts';
import { ReportLimits } from './quota/report-limits.ts';
import { PRODUCER_LEASE_OWNER_PREFIX, ReportRate } from './quota/report-rate.ts';
import { RecordPublisher } from './publish/record-publisher.ts';
import { CLAIM_GRACE_MS } from './report/idempotency.ts';
import { ReportService, type ReportFaults } from './report/report-service.ts';
import { SourceRunner } from './sources/source-runner.ts';
import { OutboxRelay } from './transactions/outbox-relay.ts';
import { TransactionService } from './transactions/transaction-service.ts';

/** Its config parser beside createApp, for whoever builds the service in-process (tests, bench/). */
export { loadConfig } from './config.ts';

/** Room around `event.data` for the rest of a Report, so data just over the limit still gets a clear 10000. */
const REQUEST_OVERHEAD_BYTES = 1024 * 1024;

export interface ProducerApp extends App {
  readonly state: ComponentState;
  /** Bound ports (after start()). */
  readonly ports: { grpc: number; http: number; health: number };
  readonly reports: ReportService;
  /** The sources this instance reads; undefined with EY_SOURCES_ENABLED=false. */
  readonly sources: SourceRunner | undefined;
}

export interface ProducerDeps {
  logger: Logger;
  /** Test-only fault points (see ReportFaults); the service's main.ts never passes any. */
  faults?: ReportFaults;
}

export function createApp(config: Readonly<ProducerConfig>, deps: ProducerDeps): ProducerApp {
  const log = deps.logger;
  const registry = createMetricsRegistry('producer');
  const metrics = createProducerMetrics(registry);
  const knex: Knex = createKnex(config.databaseUrl, { applicationName: 'eventyard-producer', logger: log });
  const kafka = createKafka(config.kafka, {
    logger: log,
    clientIdSuffix: 'producer',
    // Fail fast while the broker is down: a Report waits at most publishTimeoutMs anyway.
    overrides: {
      connectionTimeout: 3000,
      requestTimeout: Math.max(config.publishTimeoutMs, 1000),
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    },
  });
  const publisher = new RecordPublisher({
    kafka,
    timeoutMs: config.publishTimeoutMs,
    batch: config.batch,
    maxBatchBytes: config.kafka.maxBatchBytes,
    ...(config.kafka.lingerMs === undefined ? {} : { lingerMs: config.kafka.lingerMs }),
    logger: log,
  });
  const limits = {
    maxEventBytes: config.maxEventBytes,
    idempotencyDefaultWindowMs: config.idempotencyDefaultWindowMs,
    maxRecordBytes: config.kafka.maxBatchBytes,
  };
  // Every mode keeps the watch: broadcasts need keys even with EY_REQUIRE_API_KEY=false, and a change
  // to api_keys drops cached lookups (a revoked key stops at once).
  const keyWatch = new ApiKeyWatch({ knex, databaseUrl: config.databaseUrl, pollMs: config.apiKeyPollMs, onChange: () => auth.clearCache(), logger: log });
  // qps limits and anonymous grants per (app_id, topic_id), followed like the keys.
  const settings = new ProducerSettings({ knex, databaseUrl: config.databaseUrl, reloadMs: config.apiKeyPollMs, logger: log });
  const auth = new ApiKeyAuth({ knex, requireApiKey: config.requireApiKey, grants: settings, failures: config.authFailures, logger: log });
  const quotas = {
    rate: new ReportRate({ knex, settings, refreshMs: config.quotas.qpsInstancesRefreshMs, logger: log }),
    limits: new ReportLimits({ knex, limits: config.quotas, logger: log }),
  };
  // An idempotency claim outlives the publish it guards (so a live holder is never taken over), and a
  // duplicate waits for the holder about as long as the holder's publish may take.
  const idempotency = { claimTtlMs: config.publishTimeoutMs + CLAIM_GRACE_MS, waitMs: config.publishTimeoutMs };
  const reports = new ReportService({
    knex,
    publisher,
    limits,
    auth,
    quotas,
    idempotency,
    metrics,
    logger: log,
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
  });
  const relay = new OutboxRelay({ knex, publisher, logger: log });
  const transactions = new TransactionService({ knex, reports, relay, limits, quotas, logger: log });
  // Kafka topics declared as sources (/v1/sources): their records take the Report path above.
  const sources = config.sources.enabled
    ? new SourceRunner({
        knex,
        databaseUrl: config.databaseUrl,
        reloadMs: config.sources.reloadMs,
        kafka: config.kafka,
        reports,
        publisher,
        maxRecordBytes: config.kafka.maxBatchBytes,
        maxEventBytes: config.maxEventBytes,
        env: config.sources.env,
        metrics,
        logger: log,
      })
    : undefined;

  let lease: RunningNodeIdLease | undefined;
  let leaseHeld = false;
  let grpcServer: GrpcServer | undefined;
  let httpServer: HttpServer | undefined;
  /** The listeners' certificate (EY_TLS_*), followed for rotation while the service runs. */
  let tls: ServerTls | undefined;

  const lifecycle = createLifecycle({
    name: 'producer',
    logger: log,
    health: {
      host: config.healthHost,
      port: config.healthPort,
      registry,
      readiness: { kafka: () => publisher.connected, node_id_lease: () => leaseHeld, accepting: () => reports.accepting },
    },
    start: async (health) => {
      // Sources dead-letter the records their mapping cannot take.
      await ensureTopics(kafka, sources === undefined ? [Topics.ingest, Topics.schedule] : [Topics.ingest, Topics.schedule, Topics.dead], {
        ...config.topics,
        logger: log,
      });
      await publisher.start();
      await keyWatch.start();
      await settings.start();
      logAuthMode(log, config.requireApiKey, keyWatch.anyActive);
      relay.start();
      lease = await startNodeIdLease(knex, {
        owner: `${PRODUCER_LEASE_OWNER_PREFIX}${hostname()}:${process.pid}`,
        ttlMs: config.nodeIdLeaseTtlMs,
        logger: log,
        onLost: (err) => {
          // Another instance may now issue ids from this node id: issuing more could duplicate event ids.
          leaseHeld = false;
          reports.refuse('node id lease lost');
          grpcServer?.setServing(false);
          log.error({ err }, 'node id lease lost: refusing reports');
        },
      });
      leaseHeld = true;
      // Counted once this instance holds its lease, so it counts itself.
      await quotas.rate.start();
      reports.accept(lease.nodeId);
      // Read before any listener opens: unusable files stop the start with EY_TLS_FILES_INVALID.
      if (config.tls !== undefined) tls ??= new ServerTls(config.tls, log);
      grpcServer = await startGrpcServer({
        host: config.grpc.host,
        port: config.grpc.port,
        reports,
        transactions,
        maxReceiveBytes: config.maxEventBytes + REQUEST_OVERHEAD_BYTES,
        tls,
        logger: log,
      });
      httpServer = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        reports,
        transactions,
        // base64 makes `data` 4/3 larger in JSON.
        bodyLimit: Math.ceil((config.maxEventBytes * 4) / 3) + REQUEST_OVERHEAD_BYTES,
        tls,
        logger: log,
      });
      grpcServer.setServing(true);
      // Last: a source's records need Reports accepted, as a client's do.
      await sources?.start();
      log.info({ grpcPort: grpcServer.port, httpPort: httpServer.port, healthPort: health.port, nodeId: lease.nodeId }, 'producer ready');
    },
    stop: [
      // Stop intake first; in-flight calls finish (they wait on the publisher, which is still up).
      ['stop gRPC intake', () => grpcServer?.close(config.shutdownGraceMs)],
      [
        'stop HTTP intake',
        async () => {
          await httpServer?.close(config.shutdownGraceMs);
          tls?.close();
        },
      ],
      // Its consumers finish (or abandon) their batches and commit while the publisher is still up.
      ['stop sources', () => sources?.close()],
      [
        'stop outbox relay',
        () => {
          // Intake is closed: nothing takes a new event id from here on.
          reports.refuse('shutting down');
          return relay.close();
        },
      ],
      ['flush and disconnect producer', () => publisher.close()],
      [
        'release node id',
        () => {
          leaseHeld = false;
          return lease?.close();
        },
      ],
      ['stop API key watch', () => keyWatch.close()],
      [
        'stop producer config watch',
        async () => {
          await settings.close();
          quotas.rate.close();
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
      return { grpc: grpcServer?.port ?? 0, http: httpServer?.port ?? 0, health: lifecycle.healthPort };
    },
    reports,
    sources,
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  };
}

/** Says at start-up which Reports will be accepted, loudly when anonymous ones are. */
function logAuthMode(log: Logger, requireApiKey: boolean, anyActive: boolean): void {
  if (!requireApiKey)
    log.warn(
      { requireApiKey },
      'API keys off (EY_REQUIRE_API_KEY=false): accepting anonymous Reports (broadcasts still need a key with the broadcast permission)',
    );
  else if (anyActive) log.info({ requireApiKey }, 'API keys required on every Report, except for producer configs granting anonymous access');
  else
    log.warn(
      { requireApiKey },
      'API keys required but none exists: only Reports for producer configs granting anonymous access are accepted until a key is created',
    );
}
