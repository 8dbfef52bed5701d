// Publishes the outbox (rows written in the same database transaction as a Commit) to Kafka, then marks
// them published; a crash in between only re-publishes. Runs at once when a Commit kicks it, so a
// committed event normally reaches Kafka before Commit answers, and otherwise on a poll that backs off
// while the outbox stays empty (pollMs doubling up to idlePollMs: an idle producer seldom asks Postgres). Several producer
// instances may relay at once: rows are locked with SKIP LOCKED. Rows written by other services (e.g. a
// check-back commit in the delay-scheduler) are relayed here too.
import { PollBackoff, type Logger } from '@eventyard/core';
import { relayOutbox, type Knex, type OutboxRecord } from '@eventyard/db';
import type { RecordPublisher } from '../publish/record-publisher.ts';

export interface OutboxRelayOptions {
  knex: Knex;
  publisher: RecordPublisher;
  /** Poll interval while the outbox has rows. @default 500 */
  pollMs?: number;
  /**
   * Longest poll interval once empty polls have backed it off (rows other services write, such as a
   * check-back's commit, wait at most this long; a Commit here kicks the relay at once). @default 5000
   */
  idlePollMs?: number;
  /** Rows per database transaction. @default 200 */
  batchSize?: number;
  logger: Logger;
}

export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, 'logger'>>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  readonly #backoff: PollBackoff;
  #running: Promise<void> | undefined;
  #again = false;
  #state: 'created' | 'running' | 'stopped' = 'created';

  constructor(options: OutboxRelayOptions) {
    this.#options = { pollMs: 500, idlePollMs: 5000, batchSize: 200, ...options };
    this.#backoff = new PollBackoff(this.#options.pollMs, this.#options.idlePollMs);
    this.#log = options.logger.child({ component: 'outbox-relay' });
  }

  start(): void {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    this.#schedule(this.#options.pollMs);
  }

  #schedule(waitMs: number): void {
    clearTimeout(this.#timer);
    if (this.#state !== 'running') return;
    this.#timer = setTimeout(() => void this.kick(), waitMs);
    this.#timer.unref();
  }

  /** Runs a relay pass now (or right after the current one); resolves when the outbox was drained once. */
  kick(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().then((published) => {
      this.#running = undefined;
      this.#schedule(this.#backoff.after(published > 0));
    });
    return this.#running;
  }

  /** Stops polling and waits for a pass in progress. */
  async close(): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Publishes until the outbox is empty; resolves with how many rows it published (a failed pass counts as work: poll again soon). */
  async #drain(): Promise<number> {
    let total = 0;
    do {
      this.#again = false;
      try {
        for (;;) {
          const published = await relayOutbox(this.#options.knex, { limit: this.#options.batchSize, publish: (rows) => this.#publish(rows) });
          total += published;
          if (published < this.#options.batchSize) break;
        }
      } catch (err) {
        // Left unpublished: the next pass retries.
        this.#log.warn({ err }, 'outbox relay pass failed');
        return 1;
      }
    } while (this.#again && this.#state === 'running');
    return total;
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
