// The router service assembled: the processor config cache (Postgres + LISTEN/NOTIFY), the topic
// ensurer, the history writer and the ingest consumer, plus /healthz /readyz /metrics. start() and
// close() are idempotent; close() runs the shutdown order of STYLE.md (stop intake and finish the
// round in hand → commit → flush and disconnect the producer → stop config updates → close the pool).
import { createKafka, createLifecycle, createMetricsRegistry, type App, type ComponentState, type Logger } from '@eventyard/core';
import { createKnex, type Knex } from '@eventyard/db';
import { StatusPublisher } from '@eventyard/evhub';
import type { Registry } from 'prom-client';
import { ConfigCache } from './config-cache/config-cache.ts';
import type { RouterConfig } from './config.ts';
import { IngestConsumer } from './consume/ingest-consumer.ts';
import { BroadcastFanout } from './fanout/broadcast-fanout.ts';
import { HistoryWriter } from './history/history-writer.ts';
import { createRouterMetrics } from './metrics.ts';
import { TopicEnsurer } from './topics/topic-ensurer.ts';

export interface RouterApp extends App {
  readonly state: ComponentState;
  /** Port of /healthz /readyz /metrics (after start()). */
  readonly healthPort: number;
  /** True once the consumer is in its group with a connected producer and the configs are loaded. */
  readonly ready: boolean;
  readonly registry: Registry;
  /** Reloads the processor configs now (tests, admin hooks); resolves when the new index is in place. */
  reloadConfig(): Promise<void>;
}

export interface RouterDeps {
  logger: Logger;
}

export function createApp(config: Readonly<RouterConfig>, deps: RouterDeps): RouterApp {
  const log = deps.logger;
  const registry = createMetricsRegistry('router');
  const metrics = createRouterMetrics(registry);
  const knex: Knex = createKnex(config.databaseUrl, { applicationName: 'eventyard-router', logger: log });
  const kafka = createKafka(config.kafka, { logger: log, clientIdSuffix: 'router' });
  const topics = new TopicEnsurer({ kafka, topics: config.topics, logger: log });
  const configCache = new ConfigCache({
    knex,
    databaseUrl: config.databaseUrl,
    reloadMs: config.configReloadMs,
    logger: log,
    metrics,
    // Create new processors' delivery topics ahead of their first event; a round ensures them anyway.
    onIndex: (index) => {
      const missing = index.targets.map((t) => t.deliveryTopic).filter((topic) => !topics.has(topic));
      if (missing.length === 0) return;
      topics.ensure(missing).catch((err: unknown) => log.warn({ err, topics: missing }, 'could not create delivery topics yet; retrying on first use'));
    },
  });
  const history = new HistoryWriter({ knex, logger: log, metrics });
  const consumer = new IngestConsumer({
    kafka,
    groupId: config.groupId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    partitionsConcurrency: config.partitionsConcurrency,
    maxChunkRecords: config.maxChunkRecords,
    produceTimeoutMs: config.produceTimeoutMs,
    maxBatchBytes: config.kafka.maxBatchBytes,
    ...(config.kafka.lingerMs === undefined ? {} : { lingerMs: config.kafka.lingerMs }),
    commitIntervalMs: config.commitIntervalMs,
    commitRecords: config.commitRecords,
    fetch: config.fetch,
    configCache,
    topics,
    history,
    metrics,
    fanout: new BroadcastFanout({ batchSize: config.broadcast.batchSize, ratePerS: config.broadcast.ratePerS, metrics }),
    status: new StatusPublisher({ logger: log, registry, timeoutMs: config.produceTimeoutMs }),
    logger: log,
  });

  const lifecycle = createLifecycle({
    name: 'router',
    logger: log,
    health: {
      host: config.healthHost,
      port: config.healthPort,
      registry,
      readiness: { config: () => configCache.state === 'running', kafka: () => consumer.ready },
    },
    start: async (health) => {
      await configCache.start();
      await consumer.start();
      log.info({ healthPort: health.port, processors: configCache.index.targets.length }, 'router ready');
    },
    stop: [
      ['stop consumer, commit, disconnect producer', () => consumer.close()],
      ['stop config updates', () => configCache.close()],
    ],
    release: [['close database pool', () => knex.destroy()]],
  });

  return {
    get state() {
      return lifecycle.state;
    },
    get healthPort() {
      return lifecycle.healthPort;
    },
    get ready() {
      return configCache.state === 'running' && consumer.ready;
    },
    registry,
    reloadConfig: () => configCache.requestReload(),
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  };
}
