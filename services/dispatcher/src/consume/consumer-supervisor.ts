// Keeps one ProcessorConsumer per active processor, following the processors table: a new processor
// gets a consumer without a restart, a stopped/paused or deleted one has its consumer drained and
// closed, a changed one gets its new concurrency and rate (everything else is read per attempt). A
// consumer that fails to start, or that kafkajs gave up on, is retried after a pause.
import { Topics, type Logger } from '@eventyard/core';
import { CIRCUIT_BREAKER_DEFAULTS } from '@eventyard/evhub';
import type { Kafka } from 'kafkajs';
import type { BreakerBoard } from '../breaker/index.ts';
import type { DispatcherConfig } from '../config.ts';
import type { DeliveryRunner } from '../delivery/delivery-runner.ts';
import type { DispatcherMetrics } from '../metrics.ts';
import type { ProcessorSettings } from '../processors/processor-settings.ts';
import type { GrpcSender } from '../send/grpc-sender.ts';
import { ProcessorConsumer } from './processor-consumer.ts';

export interface ConsumerSupervisorOptions {
  kafka: Kafka;
  runner: DeliveryRunner;
  grpcSender: GrpcSender;
  dispatch: DispatcherConfig['dispatch'];
  topics: DispatcherConfig['topics'];
  /** How long a removed processor's deliveries may finish. */
  graceMs: number;
  metrics: DispatcherMetrics;
  logger: Logger;
  /** Circuit breakers per processor (kept across a pause, dropped with the processor). @default none */
  breakers?: BreakerBoard | undefined;
  /** Pause before retrying a consumer that failed. @default 2000 */
  restartDelayMs?: number;
  /** Awaited before every offset commit (ProcessorConsumerOptions.beforeCommit). @default nothing */
  beforeCommit?: () => Promise<void>;
}

export class ConsumerSupervisor {
  readonly #options: ConsumerSupervisorOptions;
  readonly #log: Logger;
  readonly #consumers = new Map<string, ProcessorConsumer>();
  readonly #stopping = new Set<Promise<void>>();
  #snapshot: ReadonlyMap<string, ProcessorSettings> = new Map();
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ConsumerSupervisorOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'consumer-supervisor' });
    options.metrics.watchSlotWaits(() => [...this.#consumers].map(([dispatcherId, consumer]) => [dispatcherId, consumer.waitingForSlot] as const));
  }

  /** The running consumer of a processor, if any. */
  consumer(dispatcherId: string): ProcessorConsumer | undefined {
    return this.#consumers.get(dispatcherId);
  }

  get size(): number {
    return this.#consumers.size;
  }

  /** Brings the consumers in line with `snapshot` (every processor row). */
  reconcile(snapshot: ReadonlyMap<string, ProcessorSettings>): void {
    this.#snapshot = snapshot;
    if (this.#closed) return;
    this.#options.grpcSender.retain([...snapshot.values()].filter((s) => s.protocol === 'grpcSend').map((s) => s.addr));
    for (const [id, settings] of snapshot) {
      const existing = this.#consumers.get(id);
      if (settings.halted) {
        if (existing !== undefined) this.#stop(id, 'processor stopped or paused');
      } else if (existing === undefined) {
        this.#start(id);
      } else {
        existing.applySettings(settings);
        this.#options.breakers?.get(id)?.refresh();
      }
    }
    for (const id of [...this.#consumers.keys()]) {
      if (!snapshot.has(id)) this.#stop(id, 'processor deleted');
    }
    for (const id of this.#breakerIds()) if (!snapshot.has(id)) this.#options.breakers?.forget(id);
    this.#options.metrics.consumers.set(this.#consumers.size);
  }

  /** Drains and closes every consumer (in parallel: they are independent), within `graceMs` each. */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    const closing = [...this.#consumers.values()].map((c) => c.close(graceMs));
    this.#consumers.clear();
    await Promise.allSettled([...closing, ...this.#stopping]);
    this.#options.metrics.consumers.set(0);
  }

  #start(dispatcherId: string): void {
    const breaker = this.#options.breakers?.gate(dispatcherId, () => this.#snapshot.get(dispatcherId)?.breaker ?? CIRCUIT_BREAKER_DEFAULTS);
    // Resumed (or started): a failure run before a pause does not count towards the next auto-pause.
    breaker?.forgetFailures();
    const consumer = new ProcessorConsumer({
      kafka: this.#options.kafka,
      dispatcherId,
      topic: Topics.deliveries(dispatcherId),
      settings: () => this.#snapshot.get(dispatcherId),
      runner: this.#options.runner,
      dispatch: this.#options.dispatch,
      topics: this.#options.topics,
      metrics: this.#options.metrics,
      logger: this.#options.logger,
      breaker,
      ...(this.#options.beforeCommit === undefined ? {} : { beforeCommit: this.#options.beforeCommit }),
      onFailed: () => this.#restartLater(dispatcherId, consumer),
    });
    this.#consumers.set(dispatcherId, consumer);
    consumer.start().catch((err: unknown) => {
      this.#log.error({ err, dispatcher_id: dispatcherId }, 'processor consumer failed to start; retrying');
      this.#restartLater(dispatcherId, consumer);
    });
  }

  #breakerIds(): string[] {
    return this.#options.breakers?.ids() ?? [];
  }

  #restartLater(dispatcherId: string, consumer: ProcessorConsumer): void {
    if (this.#consumers.get(dispatcherId) === consumer) {
      this.#consumers.delete(dispatcherId);
      this.#track(consumer.close(0));
    }
    if (this.#closed || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.reconcile(this.#snapshot);
    }, this.#options.restartDelayMs ?? 2000);
    this.#retryTimer.unref();
  }

  #stop(dispatcherId: string, reason: string): void {
    const consumer = this.#consumers.get(dispatcherId);
    if (consumer === undefined) return;
    this.#consumers.delete(dispatcherId);
    this.#log.info({ dispatcher_id: dispatcherId, reason }, 'stopping processor consumer');
    this.#track(consumer.close(this.#options.graceMs));
  }

  #track(closing: Promise<void>): void {
    const tracked = closing.catch((err: unknown) => this.#log.warn({ err }, 'processor consumer close failed')).finally(() => this.#stopping.delete(tracked));
    this.#stopping.add(tracked);
  }
}
