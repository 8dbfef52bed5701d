// The delay-scheduler assembled: the schedule-topic consumer that makes timers durable, the firer that
// claims and fires them on time, the idempotent producer it fires through, the transaction check-backs
// (tx-check/), and /healthz /readyz /metrics.
// start() and close() are idempotent; close() runs the shutdown order of STYLE.md.
import {
  createKafka,
  createLifecycle,
  createMetricsRegistry,
  egressGuardOf,
  ensureTopics,
  Topics,
  type App,
  type ComponentState,
  type Logger,
} from '@eventyard/core';
import { countTimers, createKnex, type Knex } from '@eventyard/db';
import { StatusPublisher } from '@eventyard/evhub';
import type { SchedulerConfig } from './config.ts';
import { TimerFirer } from './firing/timer-firer.ts';
import { TimerProducer } from './firing/timer-producer.ts';
import { ScheduleConsumer } from './intake/schedule-consumer.ts';
import { RejectedRecords } from './rejects/rejected-records.ts';
import { createSchedulerMetrics } from './metrics.ts';
import { CallbackClient } from './tx-check/callback-client.ts';
import { createTxCheckMetrics } from './tx-check/tx-check-metrics.ts';
import { TxChecker } from './tx-check/tx-checker.ts';

export interface SchedulerApp extends App {
  readonly state: ComponentState;
  /** Bound health/metrics port (after start()). */
  readonly ports: { health: number };
  /** Claimed timers held in memory right now. */
  readonly heldTimers: number;
}

export interface SchedulerDeps {
  logger: Logger;
}

export function createApp(config: Readonly<SchedulerConfig>, deps: SchedulerDeps): SchedulerApp {
  const log = deps.logger.child({ instance: config.instanceId });
  const registry = createMetricsRegistry('delay-scheduler');
  const knex: Knex = createKnex(config.databaseUrl, { applicationName: 'eventyard-delay-scheduler', logger: log });
  const metrics = createSchedulerMetrics(registry, () => countTimers(knex));
  const kafka = createKafka(config.kafka, {
    logger: log,
    clientIdSuffix: 'delay-scheduler',
    overrides: { connectionTimeout: 3000, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } },
  });
  // Records that cannot be kept or fired go to eventyard.dead through the timer producer (created next;
  // the function is called only once both run).
  const status = new StatusPublisher({ logger: log, registry, timeoutMs: config.produceTimeoutMs });
  const rejects: RejectedRecords = new RejectedRecords({
    knex,
    producer: (): TimerProducer['sender'] => producer.sender,
    timeoutMs: config.produceTimeoutMs,
    status,
  });
  const producer = new TimerProducer({
    kafka,
    timeoutMs: config.produceTimeoutMs,
    maxBatchBytes: config.kafka.maxBatchBytes,
    ...(config.kafka.lingerMs === undefined ? {} : { lingerMs: config.kafka.lingerMs }),
    rejects,
    logger: log,
  });
  const firer = new TimerFirer({
    knex,
    owner: config.instanceId,
    lookaheadMs: config.lookaheadMs,
    pollMs: config.pollMs,
    idlePollMs: config.idlePollMs,
    claimMs: config.claimMs,
    batchSize: config.batchSize,
    maxHeld: config.maxHeld,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    produce: (timers) => producer.produce(timers),
    metrics,
    logger: log,
  });
  const consumer = new ScheduleConsumer({
    kafka,
    groupId: config.groupId,
    fetchMaxWaitMs: config.fetchMaxWaitMs,
    fetchIdleMaxWaitMs: config.fetchIdleMaxWaitMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    knex,
    onInserted: (dueTimes) => firer.notifyInserted(dueTimes),
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    rejects,
    metrics,
    logger: log,
  });

  for (const warning of config.egress.warnings) log.warn(warning);
  const callbackClient = new CallbackClient(egressGuardOf(config.egress));
  const txChecker = new TxChecker({
    knex,
    client: callbackClient,
    ...config.txCheck,
    metrics: createTxCheckMetrics(registry),
    logger: log,
  });

  const lifecycle = createLifecycle({
    name: 'delay-scheduler',
    logger: log,
    health: {
      host: config.healthHost,
      port: config.healthPort,
      registry,
      readiness: { kafka_producer: () => producer.connected, schedule_consumer: () => consumer.connected, database: () => firer.databaseOk },
    },
    start: async (health) => {
      await ensureTopics(kafka, [Topics.schedule, Topics.dead, status.topic], { ...config.topics, logger: log });
      // The producer first: the firer fires overdue timers as soon as it starts.
      await producer.start();
      firer.start();
      await consumer.start();
      txChecker.start();
      log.info({ healthPort: health.port, lookaheadMs: config.lookaheadMs, pollMs: config.pollMs }, 'delay-scheduler ready');
    },
    // Intake first (its batch in hand finishes and commits), then the firer hands its claims back, and
    // only then does the producer go: a round in flight still needs it.
    stop: [
      ['stop schedule consumer', () => consumer.close()],
      ['stop firing and release held timers', () => firer.close()],
      [
        'stop transaction check-backs',
        async () => {
          await txChecker.close();
          callbackClient.close();
        },
      ],
      ['disconnect producer', () => producer.close()],
    ],
    release: [['close database pool', () => knex.destroy()]],
  });

  return {
    get state() {
      return lifecycle.state;
    },
    get ports() {
      return { health: lifecycle.healthPort };
    },
    get heldTimers() {
      return firer.heldCount;
    },
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  };
}
