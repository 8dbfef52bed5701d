// One source's consumer: joins the group `eventyard-source.<source_id>` on the source's cluster, maps
// each record to a Report (record-mapping.ts) and hands it to the same ReportService the gRPC and HTTP
// edges use (validation, idempotency key, acks = all publish to eventyard.ingest). An offset is resolved
// only once its record's Report was acknowledged or the record was rejected (dead letter and history row
// written), so a crash re-reads what was not finished: at least once, never lost. Records of one
// ordering key are handed on in order; different keys in parallel. A retriable failure (broker down,
// producer not accepting, rate limit) is retried with backoff while the group still owns the partition.
import { ConsumerGroups, type Logger } from '@eventyard/core';
import type { SourceRecord as SourceRow } from '@eventyard/db';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReportService } from '../report/report-service.ts';
import { ProducerErrors } from '../error-codes.ts';
import { mapRecord, type MappedRecord, type SourceRecord } from './record-mapping.ts';

export interface Rejection {
  record: SourceRecord;
  code: string;
  reason: string;
  /** The event id the Report was given, when it got one. */
  eventId?: string;
  orderingKey?: string;
}

export interface SourceConsumerOptions {
  source: SourceRow;
  kafka: Kafka;
  reports: ReportService;
  /** Writes the dead letter and the history row of a record that cannot become an event; rejects on failure (retried). */
  reject: (source: SourceRow, rejection: Rejection) => Promise<void>;
  onOutcome?: (outcome: 'ingested' | 'duplicate' | 'rejected' | 'retried') => void;
  /** The consumer stopped by itself (kafkajs gave up after its retries): the runner starts a new one. */
  onCrash?: () => void;
  logger: Logger;
}

export type SourceConsumerState = 'created' | 'running' | 'closing' | 'closed';

/** Reports in flight at once per batch (a partition): enough to fill the publisher's micro-batches. */
const MAX_IN_FLIGHT = 64;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/** Why a record is not finished yet: the group gave up the partition or the consumer is closing. */
class Abandoned extends Error {}

export class SourceConsumer {
  readonly #o: SourceConsumerOptions;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  #state: SourceConsumerState = 'created';

  constructor(options: SourceConsumerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'source', source_id: options.source.source_id });
    this.#consumer = options.kafka.consumer({
      groupId: ConsumerGroups.source(options.source.source_id),
      maxWaitTimeInMs: 1000,
      // A source that brings nothing is polled less often (kafkajs doubles the wait up to this; our patch):
      // well inside kafkajs's default 30 s session, and a poll answers as soon as a record arrives.
      idleMaxWaitTimeInMs: 5000,
      allowAutoTopicCreation: false,
      // After close() kafkajs must not restart a consumer whose connection was failing (it would run on,
      // unowned); while running, its own restarts are fine (and a crash without one starts a new consumer).
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000, restartOnFailure: () => Promise.resolve(this.#state === 'running') },
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      this.#log.error({ err: event.payload.error }, 'source consumer crashed; starting a new one');
      void this.close().then(() => options.onCrash?.());
    });
  }

  get state(): SourceConsumerState {
    return this.#state;
  }

  get version(): number {
    return this.#o.source.version;
  }

  /** Joins the group and starts reading; rejects when the topic cannot be subscribed (the runner retries). */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    const { source } = this.#o;
    try {
      await this.#consumer.connect();
      // Kafka semantics: start_from applies to a group without committed offsets; one with offsets resumes.
      await this.#consumer.subscribe({ topic: source.topic, fromBeginning: source.start_from === 'earliest' });
      await this.#consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#batch(payload),
      });
    } catch (err) {
      await this.close();
      throw err;
    }
    this.#log.info({ topic: source.topic, group: ConsumerGroups.source(source.source_id), version: source.version }, 'source consumer started');
  }

  /** Stops reading: the batch in hand finishes (or stops at its first unfinished record), finished offsets are committed. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    this.#state = 'closing';
    await this.#consumer.disconnect().catch((err: unknown) => this.#log.warn({ err }, 'source consumer disconnect failed'));
    this.#state = 'closed';
  }

  async #batch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const live = () => this.#state === 'running' && payload.isRunning() && !payload.isStale();
    const done = new Set<string>();
    const slots = new Slots(MAX_IN_FLIGHT);
    // One chain per orderingKey: a key's records go to Report in order, other keys (and records without
    // a key, which get their own event id as key) in parallel, at most MAX_IN_FLIGHT at once.
    const chains = new Map<string, Promise<void>>();
    for (const message of batch.messages) {
      const record: SourceRecord = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
      };
      const mapped = mapRecord(this.#o.source, record);
      const orderingKey = mapped.ok ? (mapped.request.option?.orderingKey ?? '') : '';
      const chainKey = orderingKey === '' ? `offset:${message.offset}` : `key:${orderingKey}`;
      const previous = chains.get(chainKey) ?? Promise.resolve();
      chains.set(
        chainKey,
        previous.then(async () => {
          await slots.acquire();
          try {
            await this.#handle(record, mapped, live, () => payload.heartbeat());
          } finally {
            slots.release();
          }
          done.add(message.offset);
        }),
      );
    }
    const results = await Promise.allSettled(chains.values());
    for (const result of results) {
      if (result.status === 'rejected' && !(result.reason instanceof Abandoned))
        this.#log.error({ err: result.reason, partition: batch.partition }, 'source record handling failed');
    }
    // Commit only below the first unfinished record: everything after it is read again.
    let last: string | undefined;
    for (const message of batch.messages) {
      if (!done.has(message.offset)) break;
      last = message.offset;
    }
    if (last !== undefined) {
      payload.resolveOffset(last);
      await payload.commitOffsetsIfNecessary();
    }
  }

  /** Ingests or rejects one record, retrying retriable failures while the partition is still ours. */
  async #handle(record: SourceRecord, mapped: MappedRecord, live: () => boolean, heartbeat: () => Promise<void>): Promise<void> {
    const { source, reports } = this.#o;
    let pause = RETRY_MIN_MS;
    for (;;) {
      if (!live()) throw new Abandoned('partition given up');
      try {
        if (!mapped.ok) {
          await this.#o.reject(source, {
            record,
            code: ProducerErrors.EY_SOURCE_RECORD_UNMAPPABLE.code,
            reason: `source ${source.source_id}: ${mapped.reason}`,
          });
          this.#o.onOutcome?.('rejected');
          return;
        }
        const outcome = await reports.report(mapped.request, { edge: 'source' });
        if (outcome.error === null) {
          this.#o.onOutcome?.(outcome.duplicate ? 'duplicate' : 'ingested');
          return;
        }
        if (!outcome.error.retriable) {
          // What Report refuses (too large, text Postgres cannot store, ...) would be refused again: dead-letter it.
          await this.#o.reject(source, {
            record,
            code: outcome.error.code,
            reason: `source ${source.source_id}: ${outcome.error.message}`,
            ...(outcome.event_id === '' ? {} : { eventId: outcome.event_id }),
            orderingKey: mapped.request.option?.orderingKey ?? '',
          });
          this.#o.onOutcome?.('rejected');
          return;
        }
        this.#log.warn({ err: outcome.error, partition: record.partition, offset: record.offset }, 'source record not ingested yet; retrying');
      } catch (err) {
        // A dead letter or history row that could not be written, Postgres down, ...: tried again.
        this.#log.warn({ err, partition: record.partition, offset: record.offset }, 'source record handling failed; retrying');
      }
      this.#o.onOutcome?.('retried');
      await sleep(pause);
      pause = Math.min(pause * 2, RETRY_MAX_MS);
      await heartbeat().catch(() => undefined);
    }
  }
}

/** A counting semaphore: at most `size` holders; waiters are served in order. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
