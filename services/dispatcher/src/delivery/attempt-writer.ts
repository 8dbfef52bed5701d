// Group commit of attempt records: attempts finished within a few ms of each other are written by one
// `writeAttempts` statement instead of one transaction each. A caller's promise resolves only once the
// transaction holding its attempt committed, so "durable before its offset counts as done" still holds
// per record; a failed batch rejects its callers, who retry as they would after a failed single write.
// After a batch commits, `onWritten` runs before its callers resolve: the dispatcher queues the batch's
// status changes for eventyard.status there (StatusBatcher), and its offset commits wait for them to be
// sent, so a crash before that re-records and re-publishes the attempt (at least once).
import type { Logger } from '@eventyard/core';
import { writeAttempts, type AttemptInput, type Knex } from '@eventyard/db';

export interface AttemptWriterOptions {
  knex: Knex;
  /** How long an attempt waits for company while a transaction runs (with none running, it leaves at once). @default 2 */
  lingerMs?: number;
  /** Attempts per transaction; a full batch is written at once. @default 200 */
  maxBatch?: number;
  /** Transactions at once (each holds a pool connection); more waiting attempts just make bigger batches. @default 4 */
  maxInFlight?: number;
  logger?: Logger;
  /** Runs after a batch committed and before its callers resolve; must not throw or reject. @default nothing */
  onWritten?: (attempts: AttemptInput[]) => Promise<unknown> | void;
}

interface Waiter {
  attempt: AttemptInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class AttemptWriter {
  readonly #knex: Knex;
  readonly #lingerMs: number;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #log: Logger | undefined;
  readonly #onWritten: AttemptWriterOptions['onWritten'];
  #pending: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: AttemptWriterOptions) {
    this.#knex = options.knex;
    this.#lingerMs = options.lingerMs ?? 2;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#log = options.logger?.child({ component: 'attempt-writer' });
    this.#onWritten = options.onWritten;
  }

  /** Resolves once the attempt (with its delivery's new state) is committed. */
  record(attempt: AttemptInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ attempt, resolve, reject });
      // With no transaction running, the attempts finished in this turn of the event loop leave at its end:
      // at low rates every attempt used to wait out the linger alone (a timer and a wake-up per attempt
      // for nobody's company). While transactions run, attempts gather behind them for at most the linger.
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (this.#inFlight.size === 0) this.#immediate ??= setImmediate(() => this.#flush());
      else this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    });
  }

  /** Writes what is waiting and resolves when every started transaction has finished. */
  async close(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight.size > 0) {
      this.#flush();
      await Promise.race(this.#inFlight);
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    // At the limit, the batch grows until a transaction finishes (which flushes again).
    while (this.#pending.length > 0 && this.#inFlight.size < this.#maxInFlight) {
      const batch = this.#pending.splice(0, this.#maxBatch);
      const write = this.#write(batch).finally(() => {
        this.#inFlight.delete(write);
        if (this.#pending.length > 0) this.#flush();
      });
      this.#inFlight.add(write);
    }
  }

  async #write(batch: Waiter[]): Promise<void> {
    try {
      await writeAttempts(
        this.#knex,
        batch.map((w) => w.attempt),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      // One bad attempt must not fail the others again and again on every retry: write each alone, so
      // only the callers whose own write fails retry (an outage fails them all, as before).
      this.#log?.debug({ err, attempts: batch.length }, 'attempt batch failed; writing its attempts one by one');
      await Promise.all(batch.map((w) => this.#write([w])));
      return;
    }
    try {
      await this.#onWritten?.(batch.map((w) => w.attempt));
    } catch (err) {
      this.#log?.warn({ err }, 'after-write hook failed');
    }
    for (const w of batch) w.resolve();
  }
}
