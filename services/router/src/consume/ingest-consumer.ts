// The router's consume loop: eachBatch over eventyard.ingest, cut into rounds of at most maxChunkRecords.
// Each round is routed against one snapshot of the processors, then its records are produced (one
// sendBatch, idempotent producer, acks = all, in ingest order) while its history rows are written; only
// when both are durable is the round's last offset resolved. Resolved offsets are committed by a timer
// (within commitIntervalMs of one resolving, sooner once commitRecords are routed, and at close; no timer
// runs while nothing is routed), not after every batch: an offset commit is a broker round trip with an
// fsync, and in the consume loop it would delay the next round. A crash re-routes at most the rounds since
// the last commit: duplicates downstream, never a lost event. A running router does not:
// it remembers the records it routed until a commit covers them, and when a group rejoin (the broker
// restarted, a session timed out) fetches them again from the last commit, it skips them. Each is
// remembered with recordFingerprint, so a log truncated and written again is routed, not skipped.
// The partitions one fetch brings are routed together: each partition's eachBatch hands its chunk to a
// gathering round, which starts once every eachBatch running has handed one over (or finished), and
// makes one produce request and one history statement for all of them instead of one per partition.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  byTopic,
  DeadLetterCodes,
  deadLetterMessage,
  FinishedOffsets,
  ManagedProducer,
  OnDemandTimer,
  recordFingerprint,
  textHeaders,
  Topics,
  type ComponentState,
  type Logger,
} from '@eventyard/core';
import { routingStatusChanges, type DeliveryInput, type EventInput } from '@eventyard/db';
import { statusChangeRecord, type StatusPublisher } from '@eventyard/evhub';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ConfigCache } from '../config-cache/config-cache.ts';
import type { BroadcastFanout } from '../fanout/broadcast-fanout.ts';
import type { HistoryWriter } from '../history/history-writer.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { TopicEnsurer } from '../topics/topic-ensurer.ts';
import { mergeRounds, routeRound, type IngestRecord, type RoutedRound } from '../routing/route-round.ts';
import { EVENT_ID_HEADER, type OutgoingRecord } from '../routing/route-event.ts';
import { endRouteSpans } from '../routing/route-span.ts';

/** Longest pause between retries of a produced round's history rows. */
const HISTORY_RETRY_MAX_MS = 2000;

export interface IngestConsumerOptions {
  kafka: Kafka;
  groupId: string;
  sessionTimeoutMs: number;
  partitionsConcurrency: number;
  maxChunkRecords: number;
  produceTimeoutMs: number;
  /** Largest produce request (EY_KAFKA_MAX_BATCH_BYTES): rounds are split under it, larger records rejected. */
  maxBatchBytes: number;
  /** The producer's linger (EY_KAFKA_LINGER_MS). @default 0 */
  lingerMs?: number;
  /** How soon after an offset resolves it is committed (and always at close). */
  commitIntervalMs: number;
  /**
   * Routed records that start a commit at once, before commitIntervalMs: what a crash re-routes is bounded
   * by this many records as well as by time, however fast the router goes. 0 = time only. @default 0
   */
  commitRecords?: number;
  /**
   * Kafka's fetch.min.bytes and fetch.max.wait.ms (EY_ROUTER_FETCH_*), the longest idle poll the wait
   * doubles to while fetches bring nothing (below half the session timeout), and the batching window under
   * load (bytes a fetch waits for, and for how long, after one that brought two records or more), and the
   * longer window at a high rate (records per second, bytes, longest wait).
   * @default 1 byte, 1000 ms, 1000 ms, no window (1 byte), 5 ms; no high-rate window (0), 64 KiB, 20 ms
   */
  fetch?: {
    minBytes: number;
    maxWaitMs: number;
    idleMaxWaitMs?: number;
    busyMinBytes?: number;
    busyMaxWaitMs?: number;
    loadedRate?: number;
    loadedMinBytes?: number;
    loadedMaxWaitMs?: number;
  };
  configCache: ConfigCache;
  topics: TopicEnsurer;
  history: HistoryWriter;
  metrics: RouterMetrics;
  /** Paces broadcast fan-out; absent = every round is one produce request. */
  fanout?: BroadcastFanout;
  /**
   * Status changes of each round go to eventyard.status in the round's own produce, ahead of its tasks, so
   * a delivery's `pending` always precedes what the dispatcher records next; absent = none published.
   */
  status?: StatusPublisher;
  logger: Logger;
}

/** One partition's chunk waiting in the gathering round, and how to tell its eachBatch the outcome. */
interface RoundPart {
  partition: number;
  messages: readonly IngestRecord[];
  heartbeat: () => Promise<void>;
  owned: () => boolean;
  /** true: routed and durable; false: no longer ours, left unresolved. */
  resolve: (routed: boolean) => void;
  reject: (err: unknown) => void;
}

export class IngestConsumer {
  readonly #options: IngestConsumerOptions;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  readonly #producer: ManagedProducer;
  #state: ComponentState = 'created';
  #joined = false;
  /** Per assigned partition, the next offset to commit (last resolved + 1) not yet committed. */
  readonly #uncommitted = new Map<number, string>();
  /** Per assigned partition, the records routed and not covered by a commit. */
  readonly #routed = new Map<number, FinishedOffsets>();
  /** Commits within commitIntervalMs of an offset resolving, again while one is left (a failed commit, a partition that moved on meanwhile). */
  readonly #commitTimer: OnDemandTimer;
  #committing: Promise<void> | undefined;
  /** Records resolved since the last commit started (commitRecords). */
  #resolvedSinceCommit = 0;
  /** eachBatch calls running now; close() waits for them before the final commit. */
  readonly #batches = new Set<Promise<void>>();
  /** eachBatch calls running (counted from their first line, unlike #batches). */
  #activeBatches = 0;
  /** Chunks handed over for the next round, one per partition at most. */
  #gathering: RoundPart[] = [];

  constructor(options: IngestConsumerOptions) {
    this.#options = options;
    this.#commitTimer = new OnDemandTimer(
      options.commitIntervalMs,
      () => this.#commit(),
      () => this.#uncommitted.size > 0,
    );
    this.#log = options.logger.child({ component: 'ingest-consumer' });
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(1000, Math.floor(options.sessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs),
      // With minBytes 1 the broker answers a fetch as soon as data arrives, and maxWait only bounds an idle
      // poll (and shutdown); a larger minBytes gathers bigger rounds for up to maxWait.
      minBytes: options.fetch?.minBytes ?? 1,
      maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 1000,
      idleMaxWaitTimeInMs: options.fetch?.idleMaxWaitMs ?? options.fetch?.maxWaitMs ?? 1000,
      // Under load (a fetch brought two records or more) the next one waits up to busyMaxWaitMs for
      // busyMinBytes: larger rounds where records outpace the loop anyway (our kafkajs patch).
      busyMinBytes: options.fetch?.busyMinBytes ?? 1,
      busyMaxWaitTimeInMs: options.fetch?.busyMaxWaitMs ?? 5,
      // At a high rate (loadedRate records per second) a longer window instead: see the router's config.
      loadedRecordsPerSecond: options.fetch?.loadedRate ?? 0,
      loadedMinBytes: options.fetch?.loadedMinBytes ?? 65_536,
      loadedMaxWaitTimeInMs: options.fetch?.loadedMaxWaitMs ?? 20,
      allowAutoTopicCreation: false,
      // A failing round (broker or Postgres down) is retried with backoff, then the consumer restarts.
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.#producer = new ManagedProducer({
      kafka: options.kafka,
      // Bounded rather than kafkajs's endless idempotent default: a round that cannot be produced fails,
      // its offsets stay unresolved and it is routed again (at-least-once), instead of hanging shutdown.
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
      maxBatchBytes: options.maxBatchBytes,
      ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
    });
    const { events: ce } = this.#consumer;
    this.#consumer.on(ce.GROUP_JOIN, ({ payload }) => {
      this.#joined = true;
      // A partition that moved to another member is committed by it from now on.
      const assigned = new Set(payload.memberAssignment[Topics.ingest] ?? []);
      for (const partition of [...this.#uncommitted.keys()]) if (!assigned.has(partition)) this.#uncommitted.delete(partition);
      for (const partition of [...this.#routed.keys()]) if (!assigned.has(partition)) this.#routed.delete(partition);
      this.#log.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined the ingest consumer group');
    });
    this.#consumer.on(ce.CRASH, ({ payload }) => {
      this.#joined = false;
      this.#log.error({ err: payload.error, restart: payload.restart }, 'ingest consumer crashed');
    });
    this.#consumer.on(ce.STOP, () => {
      this.#joined = false;
    });
    this.#consumer.on(ce.END_BATCH_PROCESS, ({ payload }) => {
      options.metrics.consumerLag.set({ partition: String(payload.partition) }, Number(payload.offsetLag));
    });
  }

  get state(): ComponentState {
    return this.#state;
  }

  /** Readiness: in the consumer group with a connected producer. */
  get ready(): boolean {
    return this.#state === 'running' && this.#joined && this.#producer.connected;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    await this.#options.topics.ensure([
      Topics.ingest,
      Topics.schedule,
      Topics.dead,
      ...(this.#options.status === undefined ? [] : [this.#options.status.topic]),
    ]);
    await this.#producer.start();
    await this.#consumer.connect();
    // A new group starts at the beginning: every acknowledged Report on ingest gets routed.
    await this.#consumer.subscribe({ topics: [Topics.ingest], fromBeginning: true });
    await this.#consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: false,
      partitionsConsumedConcurrently: this.#options.partitionsConcurrency,
      eachBatch: (payload) => this.#trackBatch(payload),
    });
    this.#state = 'running';
  }

  /** Stops intake, lets the batch in hand finish, commits its offsets, then flushes the producer. */
  async close(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'draining') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'draining';
    this.#commitTimer.stop();
    try {
      if (wasRunning) {
        this.#consumer.pause([{ topic: Topics.ingest }]);
        await Promise.allSettled([...this.#batches]);
        await this.#committing;
        await this.#commit();
      }
      await this.#consumer.disconnect();
      this.#log.info('ingest consumer stopped');
    } finally {
      await this.#producer.close();
      this.#state = 'stopped';
    }
  }

  #trackBatch(payload: EachBatchPayload): Promise<void> {
    this.#activeBatches += 1;
    const running = this.#eachBatch(payload);
    this.#batches.add(running);
    return running.finally(() => {
      this.#batches.delete(running);
      this.#activeBatches -= 1;
      this.#startRoundWhenGathered();
    });
  }

  /** Hands a chunk to the gathering round; resolves true once routed and durable, false when no longer ours. */
  #routeChunk(partition: number, messages: readonly IngestRecord[], heartbeat: () => Promise<void>, owned: () => boolean): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#gathering.push({ partition, messages, heartbeat, owned, resolve, reject });
      this.#startRoundWhenGathered();
    });
  }

  /** Starts the round once every running eachBatch has a chunk in it: none of them has anything else to do. */
  #startRoundWhenGathered(): void {
    if (this.#gathering.length === 0 || this.#gathering.length < this.#activeBatches) return;
    const parts = this.#gathering;
    this.#gathering = [];
    const mine = parts.filter((part) => {
      if (part.owned()) return true;
      part.resolve(false);
      return false;
    });
    if (mine.length === 0) return;
    const heartbeat = async (): Promise<void> => {
      await Promise.all(mine.map((part) => part.heartbeat()));
    };
    // Lost by one partition (stopping, rebalanced): the whole round stays unresolved and is routed again.
    const owned = (): boolean => mine.every((part) => part.owned());
    this.#round(mine, heartbeat, owned).then(
      () => {
        for (const part of mine) part.resolve(true);
      },
      (err: unknown) => {
        for (const part of mine) part.reject(err);
      },
    );
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs makes these closures over the batch; its types declare them as methods
  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const done = this.#routedOf(partition);
    // Stopping or rebalanced away: what is left stays unresolved for whoever consumes it next.
    const owned = (): boolean => isRunning() && !isStale() && this.#state === 'running';
    // Each record's offset and fingerprint, computed once: checked here, remembered once routed.
    const fresh = batch.messages
      .map((message) => ({ message, offset: BigInt(message.offset), fingerprint: recordFingerprint(message) }))
      .filter((record) => !done.has(record.offset, record.fingerprint));
    const refetched = batch.messages.length - fresh.length;
    if (refetched > 0) {
      this.#options.metrics.refetchedSkipped.inc(refetched);
      this.#log.info({ partition, refetched, from: batch.firstOffset() }, 'skipped ingest records fetched again after they were routed');
    }
    if (fresh.length === 0) {
      const last = batch.messages.at(-1);
      if (last !== undefined) this.#resolved(partition, last.offset, resolveOffset, 0);
      return;
    }
    for (let start = 0; start < fresh.length; start += this.#options.maxChunkRecords) {
      if (!owned()) return;
      const chunk = fresh.slice(start, start + this.#options.maxChunkRecords);
      if (
        !(await this.#routeChunk(
          partition,
          chunk.map((record) => record.message),
          heartbeat,
          owned,
        ))
      )
        return;
      const last = chunk[chunk.length - 1];
      if (last !== undefined) {
        for (const record of chunk) done.add(record.offset, record.fingerprint);
        this.#resolved(partition, last.message.offset, resolveOffset, chunk.length);
      }
      await heartbeat();
    }
  }

  #routedOf(partition: number): FinishedOffsets {
    let routed = this.#routed.get(partition);
    if (routed === undefined) this.#routed.set(partition, (routed = new FinishedOffsets()));
    return routed;
  }

  #resolved(partition: number, offset: string, resolveOffset: (offset: string) => void, routed: number): void {
    resolveOffset(offset);
    this.#uncommitted.set(partition, (BigInt(offset) + 1n).toString());
    this.#resolvedSinceCommit += routed;
    const { commitRecords = 0 } = this.#options;
    // During a commit, #commit() only hands back the one in flight: the next resolve after it starts the next.
    if (commitRecords > 0 && this.#resolvedSinceCommit >= commitRecords) void this.#commit();
    this.#commitTimer.arm();
  }

  /** Commits every partition's resolved offset that is not committed yet; one commit at a time. */
  #commit(): Promise<void> {
    if (this.#committing !== undefined) return this.#committing;
    if (this.#uncommitted.size === 0) return Promise.resolve();
    const due = [...this.#uncommitted].map(([partition, offset]) => ({ topic: Topics.ingest, partition, offset }));
    this.#resolvedSinceCommit = 0;
    this.#committing = this.#consumer
      .commitOffsets(due)
      .then(
        () => {
          // Keep a partition whose offset moved on meanwhile: the next commit takes it.
          for (const { partition, offset } of due) {
            if (this.#uncommitted.get(partition) === offset) this.#uncommitted.delete(partition);
            // Below a commit, a record is only fetched again by a seek, which means "read it again".
            this.#routed.get(partition)?.forgetBelow(BigInt(offset));
          }
        },
        (err: unknown) => this.#log.warn({ err, partitions: due.length }, 'ingest offset commit failed; retrying with the next one'),
      )
      .finally(() => {
        this.#committing = undefined;
      });
    return this.#committing;
  }

  async #round(parts: readonly RoundPart[], heartbeat: () => Promise<void>, owned: () => boolean): Promise<void> {
    const { metrics } = this.#options;
    const started = performance.now();
    const index = this.#options.configCache.index;
    const now = Date.now();
    const round = mergeRounds(
      parts.map(({ partition, messages }) => {
        const part = routeRound(messages, index, now, { partition, maxRecordBytes: this.#options.maxBatchBytes });
        for (const rejection of part.rejected) {
          metrics.decodeFailures.inc({ reason: rejection.reason });
          this.#log.warn(
            { topic: Topics.ingest, partition, offset: rejection.offset, event_id: rejection.eventId, reason: rejection.reason, detail: rejection.detail },
            'ingest record rejected to the dead-letter topic',
          );
        }
        return part;
      }),
    );
    const partition = parts.length === 1 ? parts[0]?.partition : parts.map((part) => part.partition);
    await this.#options.topics.ensure(round.records.map((r) => r.topic));
    // Both must be durable before the offsets move; wait for both even when one fails, so a retried
    // round never overlaps a write still running from the failed attempt.
    const refused = new Map<string, string>();
    const produceSome = (records: readonly OutgoingRecord[]): Promise<void> => this.#produce(records, refused);
    const records = [...this.#statusRecords(round.events, round.deliveries), ...round.records];
    const produce = this.#options.fanout === undefined ? produceSome(records) : this.#options.fanout.produce(records, produceSome, heartbeat);
    const [produced, recorded] = await Promise.allSettled([produce, this.#options.history.write(round.events, round.deliveries)]);
    endRouteSpans(round.spans, produced.status === 'rejected' ? produced.reason : undefined);
    if (produced.status === 'rejected') throw produced.reason;
    if (recorded.status === 'rejected') await this.#retryHistory(partition, round.events, round.deliveries, recorded.reason, heartbeat, owned);
    if (refused.size > 0) {
      // The broker refused records the size estimate let through (a topic with a smaller
      // max.message.bytes): their dead letters are out, now their events say why.
      const rows: EventInput[] = round.events
        .filter((event) => refused.has(event.event_id))
        .map((event) => ({ ...event, status: 'rejected', status_reason: refused.get(event.event_id) ?? null, next_due_at: null }));
      for (const row of rows)
        this.#log.warn(
          { partition, event_id: row.event_id, trace_id: row.trace_id ?? undefined, detail: row.status_reason },
          'event rejected: the broker refused its record as too large',
        );
      metrics.decodeFailures.inc({ reason: 'too_large' }, rows.length);
      await this.#options.history.write(rows, []).catch((err: unknown) => this.#retryHistory(partition, rows, [], err, heartbeat, owned));
      await this.#options.status?.publish(this.#producer, routingStatusChanges(rows, []));
    }
    this.#count(round);
    metrics.roundRecords.observe(parts.reduce((sum, part) => sum + part.messages.length, 0));
    metrics.roundSeconds.observe((performance.now() - started) / 1000);
  }

  /** The round's status changes as records for its produce (none without a status publisher). */
  #statusRecords(events: readonly EventInput[], deliveries: readonly DeliveryInput[]): OutgoingRecord[] {
    const status = this.#options.status;
    if (status === undefined) return [];
    return routingStatusChanges(events, deliveries).map((change) => ({ ...statusChangeRecord(change, status.topic), headers: {} }));
  }

  /**
   * The round's tasks are in Kafka and only its history rows failed (Postgres down or restarting): retry
   * the rows alone, with backoff, while the partition is still ours. Routing the round again would
   * produce every one of its tasks a second time, once per failed try.
   */
  async #retryHistory(
    partition: number | number[] | undefined,
    events: readonly EventInput[],
    deliveries: RoutedRound['deliveries'],
    firstError: unknown,
    heartbeat: () => Promise<void>,
    owned: () => boolean,
  ): Promise<void> {
    let lastError = firstError;
    for (let attempt = 1; ; attempt++) {
      // Stopping or rebalanced away: unresolved, so it is routed again by whoever consumes it next.
      if (!owned()) throw lastError;
      if (attempt === 1 || attempt % 10 === 0)
        this.#log.warn({ err: lastError, partition, events: events.length, attempt }, 'history rows of a produced round failed; retrying them alone');
      await sleep(Math.min(50 * 2 ** attempt, HISTORY_RETRY_MAX_MS));
      await heartbeat();
      try {
        await this.#options.history.write(events, deliveries);
        return;
      } catch (err) {
        lastError = err;
      }
    }
  }

  /**
   * Produces in requests under EY_KAFKA_MAX_BATCH_BYTES. A record the broker still refuses as too large
   * is replaced by its dead letter (key and headers) and its event id noted in `refused` with the reason.
   */
  async #produce(records: readonly OutgoingRecord[], refused: Map<string, string>): Promise<void> {
    if (records.length === 0) return;
    await this.#producer.send(byTopic(records), {
      timeoutMs: this.#options.produceTimeoutMs,
      onTooLarge: (topic, message, err) => {
        const headers = textHeaders(message.headers);
        const eventId = headers[EVENT_ID_HEADER] ?? null;
        const value = message.value === null || message.value === undefined ? null : Buffer.from(message.value);
        const reason = `the broker refused a record of ${value?.length ?? 0} bytes for ${topic} as too large (${err instanceof Error ? err.message : String(err)})`;
        if (eventId !== null) refused.set(eventId, reason);
        const key = message.key === null || message.key === undefined ? null : Buffer.from(message.key);
        return {
          topic: Topics.dead,
          message: deadLetterMessage({ key, value, headers, code: DeadLetterCodes.recordTooLarge, reason, eventId, dropValue: true }),
        };
      },
    });
  }

  #count(round: RoutedRound): void {
    const { metrics } = this.#options;
    for (const event of round.routed) {
      metrics.events.inc({ status: event.status });
      if (event.event.broadcast === true) metrics.broadcastEvents.inc();
      for (const delivery of event.deliveries) metrics.deliveries.inc({ dispatcher_id: delivery.dispatcher_id, status: delivery.status });
    }
  }
}
