// The producer's Kafka side: one kafkajs idempotent producer (acks = all) and the micro-batcher in
// front of it. publish() resolves only once the broker acknowledged the record, and rejects with a
// retriable 20000 error when the send fails or does not finish within the publish timeout, so a broker
// outage answers Reports quickly instead of hanging them.
import { byTopic, EventyardError, ManagedProducer, TimeoutError, withDeadline, type Logger } from '@eventyard/core';
import type { OutgoingRecord } from '@eventyard/evhub';
import type { Kafka } from 'kafkajs';
import { ProducerErrors } from '../error-codes.ts';
import { MicroBatcher } from './micro-batcher.ts';

export type PublisherState = 'created' | 'starting' | 'running' | 'closing' | 'closed';

export interface RecordPublisherOptions {
  kafka: Kafka;
  /** Longest wait for the broker's acknowledgement of one record. */
  timeoutMs: number;
  /** The micro-batcher's bounds, and its linger at a high rate (EY_PUBLISH_*). */
  batch: { maxRecords: number; maxBytes: number; maxInFlight: number; lingerMs?: number; lingerRate?: number };
  /** Largest produce request (EY_KAFKA_MAX_BATCH_BYTES). @default DEFAULT_MAX_BATCH_BYTES */
  maxBatchBytes?: number;
  /** The producer's linger (EY_KAFKA_LINGER_MS): how long a batch of Reports waits for company. @default 0 */
  lingerMs?: number;
  logger: Logger;
}

export class RecordPublisher {
  readonly #producer: ManagedProducer;
  readonly #batcher: MicroBatcher<OutgoingRecord>;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  #state: PublisherState = 'created';

  constructor(options: RecordPublisherOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.logger.child({ component: 'publisher' });
    this.#producer = new ManagedProducer({
      kafka: options.kafka,
      // kafkajs retries an idempotent producer forever by default; a Report waits at most timeoutMs, so
      // give up on a batch in about that time rather than keep an outage's backlog retrying for minutes.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: Math.max(200, Math.floor(options.timeoutMs / 5)) },
      ...(options.maxBatchBytes === undefined ? {} : { maxBatchBytes: options.maxBatchBytes }),
      ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
    });
    this.#batcher = new MicroBatcher<OutgoingRecord>({
      flush: (records) => this.#send(records),
      sizeOf: (record) => record.value.length + record.key.length,
      maxItems: options.batch.maxRecords,
      maxBytes: options.batch.maxBytes,
      maxInFlight: options.batch.maxInFlight,
      ...(options.batch.lingerMs === undefined ? {} : { lingerMs: options.batch.lingerMs }),
      ...(options.batch.lingerRate === undefined ? {} : { lingerRate: options.batch.lingerRate }),
    });
  }

  get state(): PublisherState {
    return this.#state;
  }

  /** True while the kafkajs producer is connected (readiness). */
  get connected(): boolean {
    return this.#producer.connected && this.#state === 'running';
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    await this.#producer.start();
    this.#state = 'running';
  }

  /** Resolves once the broker acknowledged `record` (acks = all); rejects with a 20000 EventyardError. */
  async publish(record: OutgoingRecord): Promise<void> {
    if (this.#state !== 'running') {
      throw new EventyardError(ProducerErrors.EY_PUBLISH_FAILED, `publisher is ${this.#state}`);
    }
    // On timeout a record still queued is withdrawn, so "20000" means "not written" for it; only a
    // record already in a produce request may still land (at-least-once: retry with an idempotency key).
    const abort = new AbortController();
    const sent = this.#batcher.add(record, abort.signal);
    await withDeadline(sent, this.#timeoutMs, () => {
      const error = new TimeoutError(ProducerErrors.EY_PUBLISH_TIMEOUT, `publish failed: the broker did not acknowledge within ${this.#timeoutMs} ms`, {
        context: { topic: record.topic },
      });
      abort.abort(error);
      return error;
    });
  }

  /** Waits for queued and in-flight records (bounded by their timeouts), then disconnects. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'closing';
    if (wasRunning) await this.#batcher.drain();
    await this.#producer.close();
    this.#state = 'closed';
  }

  async #send(records: OutgoingRecord[]): Promise<void> {
    try {
      // The micro-batch's own byte bound counts values only; the producer's counts what the broker counts.
      await this.#producer.send(byTopic(records), { timeoutMs: this.#timeoutMs });
    } catch (cause) {
      this.#log.warn({ err: cause, records: records.length }, 'publish failed');
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EventyardError(ProducerErrors.EY_PUBLISH_FAILED, `publish failed: ${reason}`, { cause });
    }
  }
}
