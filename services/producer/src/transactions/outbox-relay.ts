// Publishes the outbox (rows written in the same database transaction as a Commit) to Kafka, then marks
// them published; a crash in between only re-publishes. Runs on a short poll, and at once when a
// Commit kicks it, so a committed event normally reaches Kafka before Commit answers. Several producer
// instances may relay at once: rows are locked with SKIP LOCKED. Rows written by other services (e.g. a
// check-back commit in the delay-scheduler) are relayed here too.
import type { Logger } from '@eventyard/core';
import { relayOutbox, type Knex, type OutboxRecord } from '@eventyard/db';
import type { RecordPublisher } from '../publish/record-publisher.ts';

export interface OutboxRelayOptions {
  knex: Knex;
  publisher: RecordPublisher;
  /** @default 500 */
  pollMs?: number;
  /** Rows per database transaction. @default 200 */
  batchSize?: number;
  logger: Logger;
}

export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, 'logger'>>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #state: 'created' | 'running' | 'stopped' = 'created';

  constructor(options: OutboxRelayOptions) {
    this.#options = { pollMs: 500, batchSize: 200, ...options };
    this.#log = options.logger.child({ component: 'outbox-relay' });
  }

  start(): void {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    this.#timer = setInterval(() => void this.kick(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Runs a relay pass now (or right after the current one); resolves when the outbox was drained once. */
  kick(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops polling and waits for a pass in progress. */
  async close(): Promise<void> {
    this.#state = 'stopped';
    clearInterval(this.#timer);
    await this.#running;
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      try {
        for (;;) {
          const published = await relayOutbox(this.#options.knex, { limit: this.#options.batchSize, publish: (rows) => this.#publish(rows) });
          if (published < this.#options.batchSize) break;
        }
      } catch (err) {
        // Left unpublished: the next pass retries.
        this.#log.warn({ err }, 'outbox relay pass failed');
        return;
      }
    } while (this.#again && this.#state === 'running');
  }

  async #publish(rows: OutboxRecord[]): Promise<void> {
    await Promise.all(
      rows.map((row) =>
        this.#options.publisher.publish({
          topic: row.topic,
          key: row.message_key ?? Buffer.alloc(0),
          value: row.value,
          headers: typeof row.headers === 'object' && row.headers !== null ? row.headers : {},
        }),
      ),
    );
  }
}
