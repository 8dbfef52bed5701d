// The one idempotent producer every service wraps around kafkajs: connect and disconnect as a small
// state machine (start() and close() idempotent, a failed connect forgotten so the next start() tries
// again), `connected` for readiness, and send() that cuts a produce under EY_KAFKA_MAX_BATCH_BYTES
// (sendInChunks), hands a record the broker refuses as too large back to the caller, and gives up after
// a time bound with a coded retriable error instead of hanging the caller on a dead broker.
//
// Concurrent sends share produce requests. kafkajs's idempotent producer sends one request per broker at
// a time (its broker lock) and has no linger of its own, so N callers sending at once cost N acks-all
// round trips one after another. Here a send waits while another is in flight and every send that
// queued meanwhile leaves together in the next request; `lingerMs` (EY_KAFKA_LINGER_MS) additionally
// holds the first send of an idle producer that long for company. Each caller still gets its own
// outcome and deadline; a failed shared request fails every caller in it (each retries as before).
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
   * How long the first send of an idle producer waits for others to share its request (EY_KAFKA_LINGER_MS).
   * Sends made while a request is in flight always wait for it and share the next one. @default 0
   */
  lingerMs?: number;
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

/** A send() waiting for its turn: its records, deadline and too-large handler, and its caller's promise. */
interface QueuedSend {
  topicMessages: readonly TopicMessages[];
  timeoutMs: number;
  onTooLarge: ManagedSendOptions['onTooLarge'];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ManagedProducer {
  readonly #producer: Producer;
  readonly #maxBatchBytes: number;
  readonly #lingerMs: number;
  #queue: QueuedSend[] = [];
  /** The shared request on the wire, if any; the queue leaves when it settles. */
  #inFlight: Promise<void> | undefined;
  #linger: NodeJS.Timeout | undefined;
  #sharedSends = 0;
  readonly #errors: ManagedProducerOptions['errors'];
  #state: ManagedProducerState = 'created';
  #connected = false;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ManagedProducerOptions) {
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.#lingerMs = options.lingerMs ?? 0;
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

  /** How many shared sends (each one or more produce requests under maxBatchBytes) went out so far. */
  get sharedSends(): number {
    return this.#sharedSends;
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

  /** Waits for a connect in flight and for the sends already made, then disconnects once. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const starting = this.#starting;
      this.#state = 'closing';
      await starting?.catch(() => undefined);
      // Sends accepted before close() still go (each bounded by its caller's deadline).
      while (this.#queue.length > 0 || this.#inFlight !== undefined) {
        this.#flush();
        await this.#inFlight;
      }
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
   * request may still land then, so the caller's retry must tolerate a duplicate (records still queued
   * are withdrawn). The records may share a request with other callers' (see the module comment).
   */
  async send(topicMessages: readonly TopicMessages[], options: ManagedSendOptions): Promise<void> {
    if (this.#state !== 'running') throw this.#notRunning();
    if (topicMessages.every((t) => t.messages.length === 0)) return;
    let queued: QueuedSend | undefined;
    const sent = new Promise<void>((resolve, reject) => {
      queued = { topicMessages, timeoutMs: options.timeoutMs, onTooLarge: options.onTooLarge, resolve, reject };
      this.#queue.push(queued);
    });
    this.#schedule();
    await withDeadline(sent, options.timeoutMs, () => {
      // Not on the wire yet: withdrawn, so the timeout means "not written" for these records.
      const index = queued === undefined ? -1 : this.#queue.indexOf(queued);
      if (index !== -1) this.#queue.splice(index, 1);
      return this.#timeout(
        topicMessages.map((t) => t.topic),
        options.timeoutMs,
      );
    });
  }

  /** Sends the queue now when nothing is in flight and no linger is asked for, else lets it gather. */
  #schedule(): void {
    if (this.#inFlight !== undefined || this.#linger !== undefined) return;
    if (this.#lingerMs <= 0) this.#flush();
    else this.#linger = setTimeout(() => this.#flush(), this.#lingerMs);
  }

  /** Puts every queued send into one sendInChunks call (unless one is in flight: it flushes when done). */
  #flush(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.#inFlight !== undefined || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#sharedSends += 1;
    this.#inFlight = this.#sendShared(batch).finally(() => {
      this.#inFlight = undefined;
      if (this.#queue.length > 0) this.#flush();
    });
  }

  async #sendShared(batch: readonly QueuedSend[]): Promise<void> {
    // The refused record is handed to the handler of the caller whose record it is (matched by identity:
    // sendInChunks passes the caller's own message objects). One without a handler fails the request.
    const handlers = new Map<Message, NonNullable<ManagedSendOptions['onTooLarge']>>();
    for (const send of batch) {
      if (send.onTooLarge === undefined) continue;
      for (const { messages } of send.topicMessages) for (const message of messages) handlers.set(message, send.onTooLarge);
    }
    try {
      await sendInChunks(
        this.#producer,
        batch.flatMap((send) => send.topicMessages),
        {
          acks: -1,
          timeout: Math.max(...batch.map((send) => send.timeoutMs)),
          maxBatchBytes: this.#maxBatchBytes,
          ...(handlers.size === 0
            ? {}
            : {
                onTooLarge: (topic, message, err) => {
                  const handler = handlers.get(message);
                  if (handler === undefined) throw err;
                  return handler(topic, message, err);
                },
              }),
        },
      );
      for (const send of batch) send.resolve();
    } catch (err) {
      for (const send of batch) send.reject(err);
    }
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
    return (
      this.#errors?.notRunning?.(this.#state) ??
      new EventyardError(CoreErrors.EY_PRODUCER_NOT_RUNNING, `producer is ${this.#state}`, { context: { state: this.#state } })
    );
  }

  #timeout(topics: string[], timeoutMs: number): Error {
    return (
      this.#errors?.timeout?.({ topics, timeoutMs }) ??
      new TimeoutError(CoreErrors.EY_PRODUCE_TIMEOUT, `no acknowledgement from the broker within ${timeoutMs} ms (${topics.join(', ')})`, {
        context: { topics },
      })
    );
  }
}
