// Reads eventyard.schedule in batches and turns each record into a durable timer row. Offsets are
// resolved only after the batch's timers are in Postgres, so a crash re-reads the batch and the
// deterministic timer ids make the re-insert a no-op. A record that is not a valid timer, or that
// Postgres refuses, is logged, counted and dead-lettered with a `rejected` history row (never skipped
// silently); a database or broker outage is retried in place (with heartbeats) rather than skipping anything.
import { DeadLetterCodes, textHeaders, Topics, type Logger } from '@eventyard/core';
import { dataErrorText, insertTimers, type Knex, type TimerInput } from '@eventyard/db';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { SchedulerMetrics } from '../metrics.ts';
import type { RejectedRecord, RejectedRecords } from '../rejects/rejected-records.ts';
import { EVENT_ID_HEADER, eventIdOf, parseScheduleRecord } from './schedule-item.ts';

/** Rows per INSERT: well under Postgres's 65535 bind parameters at 9 columns a row. */
const INSERT_CHUNK = 1000;

export interface ScheduleConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** kafkajs maxWaitTimeInMs: the long poll of a fetch after one that brought records. */
  fetchMaxWaitMs: number;
  /** kafkajs idleMaxWaitTimeInMs: the longest poll, doubled to while fetches bring nothing. @default fetchMaxWaitMs */
  fetchIdleMaxWaitMs?: number;
  /** Group session timeout (EY_SCHEDULER_SESSION_TIMEOUT_MS); the heartbeat is a tenth of it. */
  sessionTimeoutMs: number;
  knex: Knex;
  /** Called with the due times of the timers a batch inserted (after they are durable). */
  onInserted: (dueTimes: Date[]) => void;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Where records that cannot become timers go (eventyard.dead and a `rejected` history row). */
  rejects: RejectedRecords;
  metrics: SchedulerMetrics;
  logger: Logger;
}

export class ScheduleConsumer {
  readonly #o: ScheduleConsumerOptions;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  #connected = false;
  #state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: ScheduleConsumerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'schedule-consumer' });
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs),
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      idleMaxWaitTimeInMs: options.fetchIdleMaxWaitMs ?? options.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    });
    const { CONNECT, DISCONNECT, CRASH, GROUP_JOIN } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, () => {
      this.#connected = true;
    });
    this.#consumer.on(CONNECT, () => {
      this.#connected = true;
    });
    this.#consumer.on(DISCONNECT, () => {
      this.#connected = false;
    });
    this.#consumer.on(CRASH, (event) => {
      this.#connected = false;
      this.#log.error({ err: event.payload.error, restart: event.payload.restart }, 'schedule consumer crashed');
    });
  }

  /** Joined the group (readiness). */
  get connected(): boolean {
    return this.#connected && this.#state === 'running';
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    await this.#consumer.connect();
    // From the beginning for a new group: items produced before the first scheduler started are timers too.
    await this.#consumer.subscribe({ topic: Topics.schedule, fromBeginning: true });
    await this.#consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatch: (payload) => this.#onBatch(payload),
    });
  }

  /** Stops fetching, lets the batch in hand finish (its offsets commit), and leaves the group. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#consumer.disconnect();
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs makes these closures over the batch; its types declare them as methods
  async #onBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const control = { heartbeat, stopped: () => !isRunning() || isStale() };
    const timers = new Map<string, TimerInput>();
    /** Each timer's record as read, for its dead letter should Postgres refuse the row. */
    const sources = new Map<string, KafkaMessage>();
    const rejected: RejectedRecord[] = [];
    for (const message of batch.messages) {
      const headers = textHeaders(message.headers);
      const parsed = parseScheduleRecord({ key: message.key, value: message.value, headers });
      if (parsed.ok) {
        // First wins, as in the table: a later copy of the same id is a duplicate.
        if (!timers.has(parsed.timer.id)) {
          timers.set(parsed.timer.id, parsed.timer);
          sources.set(parsed.timer.id, message);
        } else this.#o.metrics.scheduleRecords.inc({ outcome: 'duplicate' });
      } else {
        this.#o.metrics.scheduleRecords.inc({ outcome: 'invalid' });
        this.#log.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: parsed.reason },
          'invalid schedule record rejected to the dead-letter topic',
        );
        rejected.push(this.#rejection(batch.partition, message, headers, parsed.reason, parsed.item));
      }
    }
    if (!(await this.#durably(() => this.#o.rejects.reject(rejected), control, 'dead-lettering schedule records'))) return;
    const rows = [...timers.values()];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const done = await this.#durably(() => this.#insertChunk(rows.slice(i, i + INSERT_CHUNK)), control, 'inserting timers');
      if (done === undefined) return; // stopping or rebalanced: the batch is read again, nothing resolved
      const refusedRecords = done.value.map(({ row, err }) => {
        const message = sources.get(row.id);
        const reason = `the database refused the timer: ${dataErrorText(err)}`;
        this.#log.warn({ err, timerId: row.id, offset: message?.offset }, 'schedule record refused by the database: rejected to the dead-letter topic');
        return this.#rejection(batch.partition, message, textHeaders(message?.headers), reason, { target_topic: row.target_topic, value: row.value });
      });
      if (!(await this.#durably(() => this.#o.rejects.reject(refusedRecords), control, 'dead-lettering refused timers'))) return;
    }
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.#o.onInserted(rows.map((row) => row.due_at));
  }

  #rejection(
    partition: number,
    message: KafkaMessage | undefined,
    headers: Record<string, string>,
    reason: string,
    item?: { target_topic: string; value: Buffer },
  ): RejectedRecord {
    const timerId = message?.key?.toString('utf8') ?? '';
    return {
      key: message?.key ?? null,
      value: message?.value ?? null,
      headers,
      code: DeadLetterCodes.scheduleRecordInvalid,
      reason,
      ...(message === undefined ? {} : { source: { topic: Topics.schedule, partition, offset: message.offset } }),
      eventId: eventIdOf(headers[EVENT_ID_HEADER], timerId),
      ...(item === undefined ? {} : { targetTopic: item.target_topic, innerValue: item.value }),
    };
  }

  /**
   * Runs `work` until it succeeds, with backoff: a database or broker outage is waited out, never
   * skipped. Returns undefined when the consumer is stopping or lost the partition.
   */
  async #durably<T>(
    work: () => Promise<T>,
    control: { heartbeat: () => Promise<void>; stopped: () => boolean },
    what: string,
  ): Promise<{ value: T } | undefined> {
    let delay = this.#o.retryBaseMs;
    for (;;) {
      try {
        return { value: await work() };
      } catch (err) {
        this.#log.warn({ err, retryInMs: delay }, `${what} failed: retrying`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.#o.retryMaxMs);
      if (control.stopped()) return undefined;
      await control.heartbeat();
    }
  }

  /**
   * Inserts a chunk; when Postgres refuses it as data (SQLSTATE class 22/23), row by row, so a refused
   * row cannot block the rest. Returns the rows it refused, with why.
   */
  async #insertChunk(rows: TimerInput[]): Promise<Array<{ row: TimerInput; err: unknown }>> {
    try {
      await this.#insert(rows);
      return [];
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
    const refused: Array<{ row: TimerInput; err: unknown }> = [];
    for (const row of rows) {
      try {
        await this.#insert([row]);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.#o.metrics.scheduleRecords.inc({ outcome: 'invalid' });
        refused.push({ row, err });
      }
    }
    return refused;
  }

  async #insert(rows: TimerInput[]): Promise<number> {
    const inserted = await insertTimers(this.#o.knex, rows);
    this.#o.metrics.scheduleRecords.inc({ outcome: 'inserted' }, inserted);
    if (rows.length > inserted) this.#o.metrics.scheduleRecords.inc({ outcome: 'duplicate' }, rows.length - inserted);
    return inserted;
  }
}

/** Postgres data exceptions (22xxx) and integrity violations (23xxx): retrying the same row cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
