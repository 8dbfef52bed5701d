// The one idempotent producer every service wraps around kafkajs: connect and disconnect as a small
// state machine (start() and close() idempotent, a failed connect forgotten so the next start() tries
// again), `connected` for readiness, and send() that cuts a produce under EY_KAFKA_MAX_BATCH_BYTES
// (sendInChunks), hands a record the broker refuses as too large back to the caller, and gives up after
// a time bound with a coded retriable error instead of hanging the caller on a dead broker.
import { withDeadline } from './deadline.ts';
import type { Kafka, Message, Producer, ProducerConfig, TopicMessages } from 'kafkajs';
import { CoreErrors } from './error-codes.ts';
import { EventyardError, TimeoutError } from './errors.ts';
import { createProducer } from './kafka.ts';
import { DEFAULT_MAX_BATCH_BYTES, sendInChunks, type SendInChunksOptions } from './produce-chunks.ts';

export type ManagedProducerState = 'created' | 'starting' | 'running' | 'closing' | 'closed';

export interface ManagedProducerOptions {
  kafka: Kafka;
  /**
   * Bounded retries. kafkajs retries an idempotent producer forever by default, which would keep an
   * outage's backlog retrying long after its caller gave up; every caller says why its bound fits.
   */
  retry: NonNullable<ProducerConfig['retry']>;
  /** @default kafkajs's (5); 1 keeps one request at a time. */
  maxInFlightRequests?: number;
  /** Largest produce request (EY_KAFKA_MAX_BATCH_BYTES). @default DEFAULT_MAX_BATCH_BYTES */
  maxBatchBytes?: number;
  /**
   * The errors this producer raises, when its service has codes of its own for them.
   * @default core EY_PRODUCE_TIMEOUT and EY_PRODUCER_NOT_RUNNING
   */
  errors?: {
    timeout?: (info: { topics: string[]; timeoutMs: number }) => Error;
    notRunning?: (state: ManagedProducerState) => Error;
  };
}

export interface ManagedSendOptions {
  /** Longest wait for the broker's acknowledgement of the whole send (also the broker-side ack timeout). */
  timeoutMs: number;
  /** A record the broker refused as too large when sent alone: what to send instead (see sendInChunks). */
  onTooLarge?: SendInChunksOptions['onTooLarge'];
}

/** A record as the services build them: its topic beside its key, value and headers. */
export interface TopicRecord {
  topic: string;
  key: Message['key'];
  value: Message['value'];
  headers?: Message['headers'];
}

/** Groups records by topic for send(), keeping their order within each topic. */
export function byTopic(records: readonly TopicRecord[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of records) {
    let messages = topics.get(topic);
    if (messages === undefined) topics.set(topic, (messages = []));
    messages.push(headers === undefined ? { key, value } : { key, value, headers });
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

export class ManagedProducer {
  readonly #producer: Producer;
  readonly #maxBatchBytes: number;
  readonly #errors: ManagedProducerOptions['errors'];
  #state: ManagedProducerState = 'created';
  #connected = false;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ManagedProducerOptions) {
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.#errors = options.errors;
    this.#producer = createProducer(options.kafka, {
      retry: options.retry,
      ...(options.maxInFlightRequests === undefined ? {} : { maxInFlightRequests: options.maxInFlightRequests }),
    });
    this.#producer.on(this.#producer.events.CONNECT, () => {
      this.#connected = true;
    });
    this.#producer.on(this.#producer.events.DISCONNECT, () => {
      this.#connected = false;
    });
  }

  get state(): ManagedProducerState {
    return this.#state;
  }

  /** Readiness: started and its connection up. */
  get connected(): boolean {
    return this.#connected && this.#state === 'running';
  }

  /** The largest produce request it sends (EY_KAFKA_MAX_BATCH_BYTES). */
  get maxBatchBytes(): number {
    return this.#maxBatchBytes;
  }

  /**
   * Connects. A second call while connecting returns the first call's promise; a failed connect leaves
   * the producer `created`, so a later start() tries again (a broker that comes back is used). After
   * close() it rejects with the not-running error: a closed producer is never reopened.
   */
  start(): Promise<void> {
    if (this.#state === 'running') return Promise.resolve();
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#notRunning());
    this.#starting ??= this.#connect();
    return this.#starting;
  }

  /** Waits for a connect in flight, then disconnects once. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const starting = this.#starting;
      this.#state = 'closing';
      await starting?.catch(() => undefined);
      try {
        await this.#producer.disconnect();
      } finally {
        this.#state = 'closed';
      }
    })();
    return this.#closing;
  }

  /**
   * Sends every topic's records (acks = all) as consecutive requests under EY_KAFKA_MAX_BATCH_BYTES and
   * resolves once the broker acknowledged them all. Rejects with the not-running error before start()
   * or after close(), and with the (retriable) timeout error after `timeoutMs`: records already in a
   * request may still land then, so the caller's retry must tolerate a duplicate.
   */
  async send(topicMessages: readonly TopicMessages[], options: ManagedSendOptions): Promise<void> {
    if (this.#state !== 'running') throw this.#notRunning();
    if (topicMessages.every((t) => t.messages.length === 0)) return;
    const sent = sendInChunks(this.#producer, topicMessages, {
      acks: -1,
      timeout: options.timeoutMs,
      maxBatchBytes: this.#maxBatchBytes,
      ...(options.onTooLarge === undefined ? {} : { onTooLarge: options.onTooLarge }),
    });
    await withDeadline(sent, options.timeoutMs, () => this.#timeout(topicMessages.map((t) => t.topic), options.timeoutMs));
  }

  async #connect(): Promise<void> {
    this.#state = 'starting';
    try {
      await this.#producer.connect();
    } catch (err) {
      if (this.#state === 'starting') {
        this.#state = 'created';
        this.#starting = undefined;
      }
      throw err;
    }
    // A close() that began while connecting owns the state from here.
    if (this.#state === 'starting') this.#state = 'running';
  }

  #notRunning(): Error {
    return this.#errors?.notRunning?.(this.#state) ?? new EventyardError(CoreErrors.EY_PRODUCER_NOT_RUNNING, `producer is ${this.#state}`, { context: { state: this.#state } });
  }

  #timeout(topics: string[], timeoutMs: number): Error {
    return (
      this.#errors?.timeout?.({ topics, timeoutMs }) ??
      new TimeoutError(CoreErrors.EY_PRODUCE_TIMEOUT, `no acknowledgement from the broker within ${timeoutMs} ms (${topics.join(', ')})`, { context: { topics } })
    );
  }
}
