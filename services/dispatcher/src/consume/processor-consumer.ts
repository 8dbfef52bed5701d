// One processor's consumer: its own kafkajs consumer group (`eventyard-dispatcher.<dispatcher_id>`) on its
// own delivery topic, so a slow or dead consumer endpoint only ever holds up its own records.
//
// eachBatch hands every record to a delivery that runs in the background and returns at once, so the
// fetch loop never waits on a consumer endpoint. Within a partition, deliveries run in parallel (up to
// the processor's concurrency, at its qps), except that records of one key run one after another in
// offset order. kafkajs's resolved offset is only its fetch position here; what is committed is the
// partition's watermark: below the lowest record not yet finished (outcome recorded and handed on).
// That is why autoCommit is off: kafkajs would commit its fetch position. When a partition has
// `maxInFlightPerPartition` records unfinished it is paused, and resumed once half of them finished.
//
// Rebalances: kafkajs rebalances eagerly (every member gives up every partition, then the group assigns
// them again) and has no revoke callback, so deliveries running here outside eachBatch would go on for a
// partition that a new owner already consumes from the last commit: two positions of one key delivered at
// once. Our kafkajs patch awaits `beforeRejoin` before this member rejoins, and the group's join barrier
// waits for every member, so the new owner cannot start until it returns. There, every delivery that has
// not started its first send is cancelled (it sent and recorded nothing; its offset stays uncommitted and
// is delivered again by whoever owns the partition next, this member included), the started ones finish
// (within the drain bound, heartbeating so the session lives), and the watermarks are committed.
import { ConsumerGroups, ensureTopics, OnDemandTimer, recordFingerprint, traceParentFromHeaders, type ComponentState, type Logger } from '@eventyard/core';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DispatcherConfig } from '../config.ts';
import type { BreakerGate } from '../breaker/index.ts';
import type { DeliveryRunner } from '../delivery/delivery-runner.ts';
import { isAbandoned, sleep } from '../delivery/persist.ts';
import { ConcurrencyLimiter, RateLimiter } from '../limits/index.ts';
import type { DispatcherMetrics } from '../metrics.ts';
import type { ProcessorSettings } from '../processors/processor-settings.ts';
import { PartitionWatermarks, type OffsetWatermark } from '../watermark/index.ts';
import { CancellableStart } from './cancellable-start.ts';
import { KeyChains } from './key-chains.ts';

/** Consumer group of a processor's consumers, shared by every dispatcher instance. */
export function consumerGroupId(dispatcherId: string): string {
  return ConsumerGroups.dispatcher(dispatcherId);
}

export interface ProcessorConsumerOptions {
  kafka: Kafka;
  dispatcherId: string;
  topic: string;
  /** The processor's current config (undefined once deleted). */
  settings: () => ProcessorSettings | undefined;
  runner: DeliveryRunner;
  dispatch: DispatcherConfig['dispatch'];
  topics: DispatcherConfig['topics'];
  metrics: DispatcherMetrics;
  logger: Logger;
  /** The processor's circuit breaker, passed by every attempt. @default none */
  breaker?: BreakerGate | undefined;
  /** Called when kafkajs gave up on this consumer (a crash it does not restart from). */
  onFailed?: (err: unknown) => void;
  /**
   * Awaited before every offset commit, must not reject: the dispatcher sends the status changes of the
   * attempts finished so far (StatusBatcher.flush), so none is lost behind a committed offset. @default nothing
   */
  beforeCommit?: () => Promise<void>;
}

export class ProcessorConsumer {
  readonly dispatcherId: string;
  readonly topic: string;
  readonly #options: ProcessorConsumerOptions;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  readonly #marks = new PartitionWatermarks();
  /** Partitions with a watermark. */
  readonly #partitions = new Set<number>();
  readonly #paused = new Set<number>();
  readonly #chains = new KeyChains();
  readonly #slots: ConcurrencyLimiter;
  readonly #rate: RateLimiter;
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  /** Commits within commitIntervalMs of a delivery finishing, again while a watermark is left to commit. */
  readonly #commitTimer: OnDemandTimer;
  /** Deliveries that may not have started yet, with where their record is. */
  readonly #unstarted = new Map<CancellableStart, { partition: number; mark: OffsetWatermark; offset: bigint }>();
  #state: ComponentState = 'created';
  #committing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ProcessorConsumerOptions) {
    this.#options = options;
    this.dispatcherId = options.dispatcherId;
    this.topic = options.topic;
    this.#log = options.logger.child({ component: 'processor-consumer', dispatcher_id: options.dispatcherId });
    const settings = options.settings();
    const name = `processor ${options.dispatcherId}`;
    this.#slots = new ConcurrencyLimiter({ limit: settings?.concurrency ?? 1, name });
    this.#rate = new RateLimiter({ qps: settings?.qps ?? 0, name });
    this.#commitTimer = new OnDemandTimer(
      options.dispatch.commitIntervalMs,
      () => this.#commit(),
      () => this.#marks.pendingCommits().length > 0,
    );
    const { dispatch } = options;
    this.#consumer = options.kafka.consumer({
      groupId: consumerGroupId(options.dispatcherId),
      sessionTimeout: dispatch.sessionTimeoutMs,
      rebalanceTimeout: rebalanceTimeoutMs(dispatch.sessionTimeoutMs),
      heartbeatInterval: heartbeatIntervalMs(dispatch.sessionTimeoutMs),
      maxWaitTimeInMs: dispatch.fetchMaxWaitMs,
      idleMaxWaitTimeInMs: dispatch.fetchIdleMaxWaitMs,
      minBytes: dispatch.fetchMinBytes,
      busyMinBytes: dispatch.fetchBusyMinBytes,
      busyMaxWaitTimeInMs: dispatch.fetchBusyMaxWaitMs,
      loadedRecordsPerSecond: dispatch.fetchLoadedRate,
      loadedMinBytes: dispatch.fetchLoadedMinBytes,
      loadedMaxWaitTimeInMs: dispatch.fetchLoadedMaxWaitMs,
      allowAutoTopicCreation: false,
    });
  }

  get state(): ComponentState {
    return this.#state;
  }

  /** Records taken from Kafka and not finished. */
  get inFlight(): number {
    return this.#marks.inFlight;
  }

  /** Deliveries waiting for one of the processor's concurrency slots. */
  get waitingForSlot(): number {
    return this.#slots.queued;
  }

  /** Applies a changed config: the next deliveries use the new concurrency and rate (and read the rest themselves). */
  applySettings(settings: ProcessorSettings): void {
    if (this.#slots.limit !== settings.concurrency) this.#slots.setLimit(settings.concurrency);
    if (this.#rate.qps !== settings.qps) this.#rate.setQps(settings.qps);
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    await ensureTopics(this.#options.kafka, [this.topic], { ...this.#options.topics, logger: this.#log });
    const consumer = this.#consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.#onAssignment(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      this.#log.error({ err: event.payload.error }, 'processor consumer crashed');
      this.#options.onFailed?.(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    // Deliveries may begin as soon as run() joins the group.
    this.#state = 'running';
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#eachBatch(payload),
      beforeRejoin: (heartbeat) => this.#beforeRejoin(heartbeat),
    });
    this.#log.info({ topic: this.topic, group: consumerGroupId(this.dispatcherId) }, 'processor consumer started');
  }

  /**
   * Stops taking records, lets running deliveries finish for up to `graceMs`, abandons the rest (they stay
   * uncommitted and are delivered again later), commits the watermarks and leaves the group.
   */
  close(graceMs: number): Promise<void> {
    this.#closing ??= this.#close(graceMs);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    const wasStarted = this.#state !== 'created';
    this.#state = 'draining';
    this.#commitTimer.stop();
    try {
      this.#consumer.pause([{ topic: this.topic }]);
    } catch {
      // Not running (start failed): nothing to pause.
    }
    const drained = await settledWithin(this.#running, graceMs);
    if (!drained) this.#log.warn({ unfinished: this.#running.size, graceMs }, 'abandoning unfinished deliveries; they will be delivered again');
    this.#abort.abort();
    this.#slots.close('processor consumer closing');
    this.#rate.close('processor consumer closing');
    await settledWithin(this.#running, 5000);
    if (wasStarted) {
      await this.#committing;
      await this.#commit();
      await this.#consumer.disconnect().catch((err: unknown) => this.#log.warn({ err }, 'consumer disconnect failed'));
    }
    this.#options.metrics.inFlight.set({ processor: this.dispatcherId }, 0);
    this.#state = 'stopped';
    this.#log.info('processor consumer stopped');
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs makes these closures over the batch; its types declare them as methods
  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.#state !== 'running') return;
    const { partition } = batch;
    const mark = this.#marks.of(this.topic, partition);
    this.#partitions.add(partition);
    const window = this.#options.dispatch.maxInFlightPerPartition;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.#state !== 'running') break;
      if (mark.inFlight >= window) {
        this.#pause(partition);
        break;
      }
      const offset = BigInt(message.offset);
      // False when re-fetched while still running (the running delivery covers it) or after it finished
      // (the group was rejoined and fetching restarted at the last commit): it is not delivered twice.
      if (mark.track(offset, recordFingerprint(message))) this.#startDelivery(partition, mark, offset, message);
      else this.#options.metrics.refetched.inc({ processor: this.dispatcherId });
      // Only the fetch position: commits follow the watermark.
      resolveOffset(message.offset);
    }
    this.#options.metrics.inFlight.set({ processor: this.dispatcherId }, this.#marks.inFlight);
    await heartbeat();
  }

  #startDelivery(partition: number, mark: OffsetWatermark, offset: bigint, message: KafkaMessage): void {
    const key = message.key === null ? null : `${partition}:${message.key.toString('latin1')}`;
    const context = { topic: this.topic, partition, offset: message.offset };
    const gate = new CancellableStart();
    this.#unstarted.set(gate, { partition, mark, offset });
    const job = {
      dispatcherId: this.dispatcherId,
      settings: this.#options.settings,
      key: message.key,
      value: message.value,
      slots: this.#slots,
      rate: this.#rate,
      breaker: this.#options.breaker,
      signal: this.#abort.signal,
      context,
      traceParent: traceParentFromHeaders(message.headers),
      gate,
    };
    const running: Promise<void> = this.#chains
      .run(key, () => this.#deliver(job, context))
      .then(
        () => {
          mark.complete(offset);
          this.#commitTimer.arm();
        },
        (err: unknown) => {
          // Abandoned by shutdown: stays in flight, so its offset is never committed. Cancelled by a
          // rebalance: released already (#cancelUnstarted), to be fetched and delivered again.
          if (!isAbandoned(err)) this.#log.error({ err, ...context }, 'delivery failed unexpectedly; its offset stays uncommitted');
        },
      )
      .finally(() => {
        this.#unstarted.delete(gate);
        this.#running.delete(running);
        this.#options.metrics.inFlight.set({ processor: this.dispatcherId }, this.#marks.inFlight);
        if (this.#paused.has(partition) && mark.inFlight <= Math.floor(this.#options.dispatch.maxInFlightPerPartition / 2)) this.#resume(partition);
      });
    this.#running.add(running);
  }

  /** Runs a delivery, retrying it after an unexpected error (a bug, never an outage: those are retried inside). */
  async #deliver(job: Parameters<DeliveryRunner['deliver']>[0], context: Record<string, unknown>): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        await this.#options.runner.deliver(job);
        return;
      } catch (err) {
        if (isAbandoned(err) || this.#abort.signal.aborted) throw err;
        this.#log.error({ err, ...context, failures: failures + 1 }, 'delivery threw; retrying it');
        await sleep(Math.min(1000 * 2 ** failures, 30_000), this.#abort.signal);
      }
    }
  }

  #pause(partition: number): void {
    if (this.#paused.has(partition)) return;
    this.#paused.add(partition);
    this.#consumer.pause([{ topic: this.topic, partitions: [partition] }]);
  }

  #resume(partition: number): void {
    this.#paused.delete(partition);
    if (this.#state !== 'running') return;
    this.#consumer.resume([{ topic: this.topic, partitions: [partition] }]);
  }

  /**
   * Cancels every delivery (of `partitions`, or of all) that has not started: it sends and records
   * nothing, and its offset, released, holds the commit back until it is fetched and delivered again.
   */
  #cancelUnstarted(partitions?: ReadonlySet<number>): number {
    let cancelled = 0;
    for (const [gate, where] of this.#unstarted) {
      if (partitions !== undefined && !partitions.has(where.partition)) continue;
      this.#unstarted.delete(gate);
      if (!gate.cancel()) continue;
      where.mark.release(where.offset);
      cancelled++;
    }
    if (cancelled > 0) this.#options.metrics.rebalanceCancelled.inc({ processor: this.dispatcherId }, cancelled);
    // Released records no longer count against the window: let the partitions be fetched again.
    for (const partition of [...this.#paused]) {
      if (this.#marks.of(this.topic, partition).inFlight <= Math.floor(this.#options.dispatch.maxInFlightPerPartition / 2)) this.#resume(partition);
    }
    this.#options.metrics.inFlight.set({ processor: this.dispatcherId }, this.#marks.inFlight);
    return cancelled;
  }

  /**
   * Awaited by kafkajs (our patch) when a rebalance starts, before this member rejoins: any partition may
   * go to another member, so nothing not yet started is delivered from here any more, what started
   * finishes, and what finished is committed, for the next owner to start right after it. Never rejects
   * (kafkajs would then retry fetching without rejoining).
   */
  async #beforeRejoin(heartbeat: () => Promise<void>): Promise<void> {
    if (this.#state !== 'running') return;
    try {
      const cancelled = this.#cancelUnstarted();
      const started = this.#running.size;
      const { dispatch } = this.#options;
      const drained = await settledWithin(this.#running, this.#drainMs, {
        everyMs: heartbeatIntervalMs(dispatch.sessionTimeoutMs),
        // Rejected with REBALANCE_IN_PROGRESS while the group waits, which renews the session all the same.
        tick: () => heartbeat().catch(() => undefined),
        until: () => this.#state !== 'running',
      });
      if (!drained && this.#state === 'running') {
        this.#log.warn(
          { unfinished: this.#running.size, drainMs: this.#drainMs },
          'rejoining the group with deliveries still running; their partitions may be delivered by another member meanwhile',
        );
      }
      await this.#committing;
      await this.#commit();
      this.#log.info({ cancelled, started, unfinished: this.#running.size }, 'rebalance: stopped deliveries before rejoining');
    } catch (err) {
      this.#log.warn({ err }, 'draining before the rejoin failed');
    }
  }

  /** How long a rebalance waits for started deliveries: well within the rebalance timeout, so this member is not left out. */
  get #drainMs(): number {
    return Math.floor(rebalanceTimeoutMs(this.#options.dispatch.sessionTimeoutMs) * 0.8);
  }

  #onAssignment(assignment: Record<string, number[]>): void {
    const assigned = new Set(assignment[this.topic] ?? []);
    const revoked = new Set([...this.#partitions].filter((p) => !assigned.has(p)));
    // Normally all cancelled before the rejoin already; not when this member was dropped from the group
    // (kafkajs rejoins at once then) and its partitions already went to others.
    if (revoked.size > 0) this.#cancelUnstarted(revoked);
    for (const partition of revoked) {
      // Revoked: another member now delivers and commits this partition.
      this.#marks.drop(this.topic, partition);
      this.#partitions.delete(partition);
      if (this.#paused.delete(partition)) this.#consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    }
  }

  /** Commits every partition whose watermark moved; one commit at a time. */
  #commit(): Promise<void> {
    if (this.#committing !== undefined) return this.#committing;
    const due = this.#marks.pendingCommits();
    if (due.length === 0) return Promise.resolve();
    const { metrics, beforeCommit } = this.#options;
    const commit = (): Promise<void> => this.#consumer.commitOffsets(due.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset })));
    this.#committing = (beforeCommit === undefined ? commit() : beforeCommit().then(commit))
      .then(
        () => {
          this.#marks.markCommitted(due);
          metrics.commits.inc({ outcome: 'ok' });
        },
        (err: unknown) => {
          metrics.commits.inc({ outcome: 'error' });
          this.#log.warn({ err }, 'offset commit failed; retrying with the next one');
        },
      )
      .finally(() => {
        this.#committing = undefined;
      });
    return this.#committing;
  }
}

function rebalanceTimeoutMs(sessionTimeoutMs: number): number {
  return Math.max(sessionTimeoutMs, 60_000);
}

function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(500, Math.floor(sessionTimeoutMs / 10));
}

/**
 * Waits until every promise in `running` settled (including ones added meanwhile), or `ms` passed, or
 * `until` holds; calls `tick` every `everyMs` meanwhile.
 */
async function settledWithin(
  running: ReadonlySet<Promise<void>>,
  ms: number,
  every?: { everyMs: number; tick: () => Promise<unknown>; until: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running.size > 0) {
    if (every?.until() === true) return false;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const wait = Math.min(left, every?.everyMs ?? left);
    await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
    if (every !== undefined && running.size > 0) await every.tick();
  }
  return true;
}
