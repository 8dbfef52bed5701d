// The dispatcher service assembled: the processor registry (Postgres + LISTEN/NOTIFY), one consumer per
// active processor, the delivery runner with its gRPC and HTTP senders, the attempt writer (group commit
// of attempt records), the Kafka hand-off producer (retry timers, dead letters) and the health/metrics
// server. start() and close() are idempotent; close() runs the shutdown order of STYLE.md: stop intake
// and drain → commit → producer → pools.
import {
  createKafka,
  createLifecycle,
  createMetricsRegistry,
  egressGuardOf,
  ensureTopics,
  Topics,
  type App,
  type ComponentState,
  type Lifecycle,
  type Logger,
} from '@eventyard/core';
import { attemptStatusChanges, checkSecretsAtStart, createKnex, type Knex } from '@eventyard/db';
import { StatusBatcher, StatusPublisher } from '@eventyard/evhub';
import type { Registry } from 'prom-client';
import { BreakerBoard, type ProcessorStateChange } from './breaker/index.ts';
import type { DispatcherConfig } from './config.ts';
import { ConsumerSupervisor } from './consume/consumer-supervisor.ts';
import { AttemptWriter } from './delivery/attempt-writer.ts';
import { DeliveryRunner } from './delivery/delivery-runner.ts';
import { HandOff } from './delivery/hand-off.ts';
import { createDispatcherMetrics } from './metrics.ts';
import { ProcessorRegistry } from './processors/processor-registry.ts';
import { GrpcSender } from './send/grpc-sender.ts';
import { HttpSender } from './send/http-sender.ts';

/** Its config parser beside createApp, for whoever builds the service in-process (tests, bench/). */
export { loadConfig } from './config.ts';

export interface DispatcherApp extends App {
  readonly state: ComponentState;
  readonly ports: { health: number };
  readonly registry: Registry;
  readonly processors: ProcessorRegistry;
  readonly consumers: ConsumerSupervisor;
  /** Circuit breakers per processor on this instance. */
  readonly breakers: BreakerBoard;
}

export interface DispatcherDeps {
  logger: Logger;
  /**
   * Called on every circuit-breaker transition and automatic pause of a processor (the value to
   * publish on `eventyard.status`). Must not throw or block; exceptions are logged. @default none
   */
  onProcessorStateChange?: (change: ProcessorStateChange) => void;
}

export function createApp(config: Readonly<DispatcherConfig>, deps: DispatcherDeps): DispatcherApp {
  const log = deps.logger;
  const registry = createMetricsRegistry('dispatcher');
  const metrics = createDispatcherMetrics(registry);
  const knex: Knex = createKnex(config.databaseUrl, { applicationName: 'eventyard-dispatcher', poolMax: 20, logger: log, secrets: config.secrets.keyring });
  const kafka = createKafka(config.kafka, {
    logger: log,
    clientIdSuffix: 'dispatcher',
    overrides: { connectionTimeout: 3000, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 } },
  });
  const handOff = new HandOff({ kafka, timeoutMs: 10_000, logger: log });
  for (const warning of config.egress.warnings) log.warn(warning);
  const egress = egressGuardOf(config.egress);
  const grpcSender = new GrpcSender(egress);
  const httpSender = new HttpSender({
    egress,
    maxResponseBytes: config.http.maxResponseBytes,
    connectionsPerOrigin: config.http.connectionsPerOrigin,
  });
  // Each attempt's status change goes to eventyard.status once its history row is committed, gathered
  // with others' off the delivery's path; offset commits wait for what was gathered before them.
  const status = new StatusPublisher({ logger: log, registry });
  const attemptStatus = new StatusBatcher({ publisher: status, producer: handOff.producer, lingerMs: config.dispatch.statusLingerMs });
  const attemptWriter = new AttemptWriter({
    knex,
    lingerMs: config.dispatch.attemptLingerMs,
    maxInFlight: config.dispatch.attemptTransactions,
    logger: log,
    onWritten: (attempts) => attemptStatus.add(attemptStatusChanges(attempts)),
  });
  const runner = new DeliveryRunner({
    knex,
    handOff,
    senders: { grpcSend: grpcSender, httpSend: httpSender },
    metrics,
    logger: log,
    recordAttempt: (attempt) => attemptWriter.record(attempt),
    publishStatus: (changes) => status.publish(handOff.producer, changes),
  });
  // Breaker transitions and automatic pauses go to eventyard.status too (the watch streams show them);
  // the publisher logs and counts a failed send and never throws.
  const onProcessorStateChange = (change: ProcessorStateChange): void => {
    deps.onProcessorStateChange?.(change);
    void status.publish(handOff.producer, [change]);
  };
  const breakers = new BreakerBoard({ knex, instanceId: config.instanceId, registry, logger: log, onProcessorStateChange });
  const consumers = new ConsumerSupervisor({
    kafka,
    runner,
    grpcSender,
    dispatch: config.dispatch,
    topics: config.topics,
    graceMs: config.shutdownGraceMs,
    breakers,
    beforeCommit: () => attemptStatus.flush(),
    metrics,
    logger: log,
  });
  const processors = new ProcessorRegistry({
    knex,
    databaseUrl: config.databaseUrl,
    reloadMs: config.configReloadMs,
    defaults: { timeoutMs: config.dispatch.defaultTimeoutMs, concurrency: config.dispatch.defaultConcurrency },
    logger: log,
    metrics,
    onSnapshot: (snapshot) => consumers.reconcile(snapshot),
  });

  const lifecycle: Lifecycle = createLifecycle({
    name: 'dispatcher',
    logger: log,
    health: {
      host: config.healthHost,
      port: config.healthPort,
      registry,
      readiness: { kafka: () => handOff.connected, processors: () => processors.loaded, running: () => lifecycle.state === 'running' },
    },
    start: async (health) => {
      await ensureTopics(kafka, [Topics.schedule, Topics.dead, status.topic], { ...config.topics, logger: log });
      await handOff.start();
      // A key that cannot open the stored secrets stops the service here, not at every delivery.
      await checkSecretsAtStart(knex, log, config.secrets.warnings);
      breakers.start();
      await processors.start();
      log.info({ healthPort: health.port, processors: consumers.size }, 'dispatcher ready');
    },
    stop: [
      ['stop following processor configs', () => processors.close()],
      ['drain deliveries, commit offsets, leave groups', () => consumers.close(config.shutdownGraceMs)],
      ['write breaker transitions, remove this instance’s breaker rows', () => breakers.close()],
      ['send the last attempts’ status changes', () => attemptStatus.flush()],
      ['flush and disconnect producer', () => handOff.close()],
      ['close gRPC clients', () => grpcSender.close()],
      ['close HTTP agent', () => httpSender.close()],
    ],
    release: [
      ['write the last attempt records', () => attemptWriter.close()],
      ['close database pool', () => knex.destroy()],
    ],
  });

  return {
    get state() {
      return lifecycle.state;
    },
    get ports() {
      return { health: lifecycle.healthPort };
    },
    registry,
    processors,
    consumers,
    breakers,
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  };
}
