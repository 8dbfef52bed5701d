// One consumer of `eventyard.status` per admin instance, shared by every watch stream it serves. It joins
// a consumer group of its own (a unique id per instance, never committed: every instance sees every
// change) and starts exactly at the topic's end as it was when it started, seeking there on every join so a
// rejoin neither skips nor repeats. The last `bufferRecords` changes stay in memory, so a client that
// reconnects with `Last-Event-ID` is served from there; an older position is read back from Kafka by a
// short-lived consumer (readRange). Started on the first watch request: the rest of the admin API works
// with no broker at all.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createKafka, ensureTopics, EventyardError, Topics, type EnsureTopicsOptions, type KafkaConfig, type Logger } from '@eventyard/core';
import { parseStatusChange, type StatusChange } from '@eventyard/evhub';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { AdminErrors } from '../error-codes.ts';
import type { StreamPosition } from './stream-position.ts';

/** One change as read from the topic, with where it was. */
export interface FeedRecord {
  partition: number;
  offset: bigint;
  change: StatusChange;
}

export type FeedListener = (record: FeedRecord) => void;

export interface FeedAttachment {
  /** The position the client is at: its resume position, else the feed's live position now. */
  position: StreamPosition;
  /** Changes after `position` still in memory, in arrival order. */
  backlog: FeedRecord[];
  /** Per partition, a range [from, to) older than memory that must be read back from Kafka (readRange). */
  missing: Map<number, { from: bigint; to: bigint }>;
  detach(): void;
}

export interface StatusFeedOptions {
  kafka: KafkaConfig;
  /** How the topic is created when missing (EY_TOPIC_*). */
  topics: Omit<EnsureTopicsOptions, 'logger'>;
  logger: Logger;
  /** Changes kept in memory for resuming clients (EY_WATCH_BUFFER_RECORDS). @default 50000 */
  bufferRecords?: number;
  /** @default Topics.status */
  topic?: string;
  /** Longest wait for the broker when starting or reading back. @default 15000 */
  timeoutMs?: number;
}

type FeedState = 'created' | 'starting' | 'running' | 'closed';

export class StatusFeed {
  readonly #o: StatusFeedOptions;
  readonly #log: Logger;
  readonly #topic: string;
  readonly #capacity: number;
  readonly #timeoutMs: number;
  #kafka: Kafka | undefined;
  #consumer: Consumer | undefined;
  #state: FeedState = 'created';
  #starting: Promise<void> | undefined;
  /** Per partition, the next offset the live consumer hands out. */
  readonly #live: StreamPosition = new Map();
  /** Per partition, the first offset from which memory holds every change. */
  readonly #coveredFrom: StreamPosition = new Map();
  /** Ring of the last changes, oldest first from #head. */
  readonly #ring: Array<FeedRecord | undefined>;
  #head = 0;
  #size = 0;
  readonly #listeners = new Set<FeedListener>();
  readonly #readers = new Set<Consumer>();

  constructor(options: StatusFeedOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'status-feed' });
    this.#topic = options.topic ?? Topics.status;
    this.#capacity = Math.max(1, options.bufferRecords ?? 50_000);
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#ring = new Array<FeedRecord | undefined>(this.#capacity);
  }

  get state(): FeedState {
    return this.#state;
  }

  /** Watch streams open on this instance. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /**
   * Starts the consumer once (later calls share the first); a failed start is forgotten so the next
   * request tries again. Rejects with EY_KAFKA_UNAVAILABLE (HTTP 503) when the broker cannot be reached.
   */
  start(): Promise<void> {
    if (this.#state === 'running') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(unavailable(new Error('admin is shutting down')));
    this.#starting ??= this.#start().catch(async (err: unknown) => {
      this.#starting = undefined;
      const consumer = this.#consumer;
      this.#consumer = undefined;
      if (this.#state !== 'closed') this.#state = 'created';
      await consumer?.disconnect().catch(() => undefined);
      throw unavailable(err);
    });
    return this.#starting;
  }

  /**
   * Attaches a listener: from now on it gets every change the consumer reads (synchronously, in order per
   * partition). With `resumeFrom`, also says which changes after that position are in memory and which
   * must be read back from Kafka. Call after start().
   */
  attach(listener: FeedListener, resumeFrom?: StreamPosition): FeedAttachment {
    const position: StreamPosition = new Map(resumeFrom ?? this.#live);
    const backlog: FeedRecord[] = [];
    const missing = new Map<number, { from: bigint; to: bigint }>();
    if (resumeFrom !== undefined) {
      for (const [partition, from] of resumeFrom) {
        const covered = this.#coveredFrom.get(partition);
        if (covered !== undefined && from < covered) missing.set(partition, { from, to: covered });
      }
      for (let i = 0; i < this.#size; i++) {
        const record = this.#ring[(this.#head + i) % this.#capacity];
        if (record === undefined) continue;
        const from = resumeFrom.get(record.partition);
        if (from === undefined || record.offset >= from) backlog.push(record);
      }
    }
    this.#listeners.add(listener);
    return { position, backlog, missing, detach: () => this.#listeners.delete(listener) };
  }

  /**
   * Reads [from, to) of each partition from Kafka with a consumer of its own (a unique group, nothing
   * committed). Resolves with the changes in order per partition, and `gap` true when Kafka no longer
   * had the start of a range (retention): what it still had is returned.
   */
  async readRange(ranges: ReadonlyMap<number, { from: bigint; to: bigint }>): Promise<{ records: FeedRecord[]; gap: boolean }> {
    const wanted = new Map([...ranges].filter(([, r]) => r.from < r.to));
    if (wanted.size === 0) return { records: [], gap: false };
    const kafka = this.#client();
    const consumer = kafka.consumer({
      groupId: groupId('eventyard-admin-watch-resume'),
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
      retry: { retries: 2 },
    });
    this.#readers.add(consumer);
    const records: FeedRecord[] = [];
    let gap = false;
    const started = new Set<number>();
    const next = new Map([...wanted].map(([p, r]) => [p, r.from]));
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.#topic, fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const [partition, offset] of next) consumer.seek({ topic: this.#topic, partition, offset: offset.toString() });
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }: EachBatchPayload) => {
              const range = wanted.get(batch.partition);
              if (range === undefined) return;
              for (const message of batch.messages) {
                const offset = BigInt(message.offset);
                if (offset < (next.get(batch.partition) ?? range.to)) continue;
                // The first record read is past where we asked: Kafka no longer has the ones in between.
                if (!started.has(batch.partition)) {
                  started.add(batch.partition);
                  if (offset > range.from) gap = true;
                }
                if (offset >= range.to) {
                  next.set(batch.partition, range.to);
                  break;
                }
                next.set(batch.partition, offset + 1n);
                const change = parseStatusChange(message.value);
                if (change !== undefined) records.push({ partition: batch.partition, offset, change });
              }
              if ([...wanted].every(([p, r]) => (next.get(p) ?? 0n) >= r.to)) resolve();
            },
          })
          .catch(reject);
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading back ${this.#topic} took over ${this.#timeoutMs} ms`)), this.#timeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return { records, gap };
    } finally {
      this.#readers.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
    }
  }

  /** Stops the consumer; listeners are the streams' to end (they were told by the app first). */
  async close(): Promise<void> {
    this.#state = 'closed';
    await this.#starting?.catch(() => undefined);
    const disconnects = [...(this.#consumer === undefined ? [] : [this.#consumer]), ...this.#readers].map((c) => c.disconnect().catch(() => undefined));
    await Promise.all(disconnects);
    this.#listeners.clear();
  }

  #client(): Kafka {
    this.#kafka ??= createKafka(this.#o.kafka, {
      clientIdSuffix: 'admin-watch',
      logger: this.#log,
      overrides: { connectionTimeout: 5000, requestTimeout: this.#timeoutMs, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } },
    });
    return this.#kafka;
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    const kafka = this.#client();
    await ensureTopics(kafka, [this.#topic], { ...this.#o.topics, logger: this.#log });
    // Where "now" is: the consumer starts exactly here, so the first stream's position is exact.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { partition, offset } of await admin.fetchTopicOffsets(this.#topic)) {
        this.#live.set(partition, BigInt(offset));
        this.#coveredFrom.set(partition, BigInt(offset));
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: groupId('eventyard-admin-watch'),
      // The broker answers as soon as a change arrives; this only bounds an idle poll.
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.#consumer = consumer;
    // Every join (the first, and a rejoin after a broker restart) continues from what was handed out;
    // a partition not known yet starts at its beginning (fromBeginning), so nothing added is missed.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.#live) consumer.seek({ topic: this.#topic, partition, offset: offset.toString() });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.#log.warn({ err: payload.error, restart: payload.restart }, 'status feed consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topic: this.#topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => this.#take(batch.partition, batch.messages) });
    if (this.#state === 'starting') this.#state = 'running';
    this.#log.info({ topic: this.#topic, position: Object.fromEntries([...this.#live].map(([p, o]) => [p, o.toString()])) }, 'status feed started');
  }

  #take(partition: number, messages: EachBatchPayload['batch']['messages']): void {
    for (const message of messages) {
      const offset = BigInt(message.offset);
      const next = this.#live.get(partition);
      // Already handed out (a fetch raced a seek): never twice.
      if (next !== undefined && offset < next) continue;
      this.#live.set(partition, offset + 1n);
      if (!this.#coveredFrom.has(partition)) this.#coveredFrom.set(partition, offset);
      const change = parseStatusChange(message.value);
      if (change === undefined) {
        this.#log.debug({ partition, offset: message.offset }, 'record on the status topic is not a known status change; skipped');
        continue;
      }
      const record: FeedRecord = { partition, offset, change };
      this.#remember(record);
      for (const listener of this.#listeners) listener(record);
    }
  }

  #remember(record: FeedRecord): void {
    if (this.#size === this.#capacity) {
      const evicted = this.#ring[this.#head];
      if (evicted !== undefined) this.#coveredFrom.set(evicted.partition, evicted.offset + 1n);
      this.#ring[this.#head] = record;
      this.#head = (this.#head + 1) % this.#capacity;
      return;
    }
    this.#ring[(this.#head + this.#size) % this.#capacity] = record;
    this.#size++;
  }
}

/** A group id no other consumer shares, so no one else's commits or assignments touch it. */
function groupId(prefix: string): string {
  return `${prefix}.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
}

function unavailable(cause: unknown): EventyardError {
  if (cause instanceof EventyardError && cause.code === AdminErrors.EY_KAFKA_UNAVAILABLE.code) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EventyardError(AdminErrors.EY_KAFKA_UNAVAILABLE, `kafka: watching ${Topics.status}: ${reason}`, { cause, context: { topic: Topics.status } });
}
