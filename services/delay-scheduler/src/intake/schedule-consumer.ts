// Reads eventyard.schedule in batches and turns each record into a durable timer row. Offsets are
// resolved only after the batch's timers are in Postgres, so a crash re-reads the batch and the
// deterministic timer ids make the re-insert a no-op. Garbage records are logged, counted and skipped;
// a database outage is retried in place (with heartbeats) rather than skipping anything.
import { Topics, type Logger } from '@eventyard/core';
import { insertTimers, type Knex, type TimerInput } from '@eventyard/db';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import type { SchedulerMetrics } from '../metrics.ts';
import { parseScheduleRecord } from './schedule-item.ts';

/** Rows per INSERT: well under Postgres's 65535 bind parameters at 9 columns a row. */
const INSERT_CHUNK = 1000;

export interface ScheduleConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** kafkajs maxWaitTimeInMs: a fetch in flight delays disconnect() by up to this long. */
  fetchMaxWaitMs: number;
  knex: Knex;
  /** Called with the due times of the timers a batch inserted (after they are durable). */
  onInserted: (dueTimes: Date[]) => void;
  retryBaseMs: number;
  retryMaxMs: number;
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
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
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

  async #onBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const timers = new Map<string, TimerInput>();
    for (const message of batch.messages) {
      const parsed = parseScheduleRecord({ key: message.key, value: message.value, headers: textHeaders(message.headers) });
      if (parsed.ok) {
        // First wins, as in the table: a later copy of the same id is a duplicate.
        if (!timers.has(parsed.timer.id)) timers.set(parsed.timer.id, parsed.timer);
        else this.#o.metrics.scheduleRecords.inc({ outcome: 'duplicate' });
      } else {
        this.#o.metrics.scheduleRecords.inc({ outcome: 'invalid' });
        this.#log.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, reason: parsed.reason }, 'invalid schedule record skipped');
      }
    }
    const rows = [...timers.values()];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const inserted = await this.#insertDurably(rows.slice(i, i + INSERT_CHUNK), { heartbeat, stopped: () => !isRunning() || isStale() });
      if (inserted === undefined) return; // stopping or rebalanced: the batch is read again, nothing resolved
    }
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.#o.onInserted(rows.map((row) => row.due_at));
  }

  /**
   * Inserts until it succeeds. A row Postgres refuses as data (SQLSTATE class 22/23) is skipped on its
   * own so it cannot block the rest; anything else (connection lost, database restarting) is retried
   * with backoff. Returns undefined when the consumer is stopping.
   */
  async #insertDurably(rows: TimerInput[], control: { heartbeat: () => Promise<void>; stopped: () => boolean }): Promise<number | undefined> {
    let delay = this.#o.retryBaseMs;
    for (;;) {
      try {
        try {
          return await this.#insert(rows);
        } catch (err) {
          if (!isDataError(err)) throw err;
          return await this.#insertOneByOne(rows);
        }
      } catch (err) {
        this.#log.warn({ err, rows: rows.length, retryInMs: delay }, 'inserting timers failed: retrying');
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.#o.retryMaxMs);
      if (control.stopped()) return undefined;
      await control.heartbeat();
    }
  }

  async #insert(rows: TimerInput[]): Promise<number> {
    const inserted = await insertTimers(this.#o.knex, rows);
    this.#o.metrics.scheduleRecords.inc({ outcome: 'inserted' }, inserted);
    if (rows.length > inserted) this.#o.metrics.scheduleRecords.inc({ outcome: 'duplicate' }, rows.length - inserted);
    return inserted;
  }

  async #insertOneByOne(rows: TimerInput[]): Promise<number> {
    let inserted = 0;
    for (const row of rows) {
      try {
        inserted += await this.#insert([row]);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.#o.metrics.scheduleRecords.inc({ outcome: 'invalid' });
        this.#log.warn({ err, timerId: row.id }, 'schedule record refused by the database: skipped');
      }
    }
    return inserted;
  }
}

/** Postgres data exceptions (22xxx) and integrity violations (23xxx): retrying the same row cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? String(value[0] ?? '') : value.toString('utf8');
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
