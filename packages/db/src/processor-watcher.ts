// Follows the processors table without a restart, for every service that needs a live view of it: a
// LISTEN/NOTIFY listener triggers a reload within milliseconds of a change, and a periodic full reload is
// the safety net for anything a notification could miss. Reloads never overlap (changes arriving during
// one coalesce into a single follow-up) and a failed reload keeps the caller's previous view.
import type { Logger } from '@eventyard/core';
import { listenConfigChanges, type ConfigChangeListener } from './config-changes.ts';
import type { Knex } from './connection.ts';
import { listProcessors, type ProcessorRecord } from './processors.ts';

export type ProcessorWatcherState = 'created' | 'starting' | 'running' | 'stopped';

export interface ProcessorWatcherOptions {
  knex: Knex;
  /** URL of the database, for the dedicated LISTEN connection. */
  databaseUrl: string;
  /** Period of the full reload. */
  reloadMs: number;
  logger: Logger;
  /** Builds the caller's view from a full load; called after every successful load, one at a time. */
  onLoad: (processors: ProcessorRecord[]) => void;
  /** Told the outcome of every reload, for metrics. */
  onReload?: (outcome: 'ok' | 'error') => void;
}

export class ProcessorWatcher {
  readonly #options: ProcessorWatcherOptions;
  #state: ProcessorWatcherState = 'created';
  #listener: ConfigChangeListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;

  constructor(options: ProcessorWatcherOptions) {
    this.#options = options;
  }

  get state(): ProcessorWatcherState {
    return this.#state;
  }

  /** Loads the processors (failing start when Postgres is unreachable), then follows changes. */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    // Listen first: a change committed between the load and the LISTEN would otherwise be missed.
    this.#listener = listenConfigChanges(
      this.#options.databaseUrl,
      (change) => {
        if (change.table === 'processors' || change.table === '*') void this.reload();
      },
      { logger: this.#options.logger },
    );
    await this.#listener.ready;
    await this.#load();
    this.#timer = setInterval(() => void this.reload(), this.#options.reloadMs);
    this.#timer.unref();
    this.#state = 'running';
  }

  /** Reloads now, coalescing with one in progress; resolves when a view at least this new is in place. Never rejects. */
  reload(): Promise<void> {
    if (this.#state === 'stopped') return Promise.resolve();
    if (this.#reloading !== undefined) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = this.#reloadLoop().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async close(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#listener?.close();
    await this.#reloading?.catch(() => undefined);
  }

  async #reloadLoop(): Promise<void> {
    do {
      this.#reloadAgain = false;
      try {
        await this.#load();
      } catch (err) {
        this.#options.onReload?.('error');
        this.#options.logger.warn({ err }, 'processor config reload failed; keeping the previous configs');
      }
    } while (this.#reloadAgain && this.#state !== 'stopped');
  }

  async #load(): Promise<void> {
    const processors = await listProcessors(this.#options.knex);
    if (this.#state === 'stopped') return;
    this.#options.onLoad(processors);
    this.#options.onReload?.('ok');
  }
}
