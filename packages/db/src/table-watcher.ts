// Follows a config table without a restart, for every service that needs a live view of it (the
// processors for the router and the dispatcher, the API keys for the producer): a LISTEN/NOTIFY
// listener triggers a reload within milliseconds of a change, and a periodic full reload is the safety
// net for anything a notification could miss (and for changes no write announces, like an expiry).
// Reloads never overlap (changes arriving during one coalesce into a single follow-up) and a failed
// reload keeps the caller's previous view.
import type { Logger } from '@eventyard/core';
import { listenConfigChanges, type ConfigChangeListener } from './config-changes.ts';
import type { Knex } from './connection.ts';
import { listProcessors, type ProcessorRecord } from './processors.ts';

export type TableWatcherState = 'created' | 'starting' | 'running' | 'stopped';

export interface TableWatcherOptions<T> {
  knex: Knex;
  /** URL of the database, for the dedicated LISTEN connection. */
  databaseUrl: string;
  /** The table whose `eventyard_config` notifications trigger a reload. */
  table: string;
  /** Period of the full reload. */
  reloadMs: number;
  logger: Logger;
  /** Reads the caller's view from the database. */
  load: (knex: Knex) => Promise<T>;
  /** Takes the view after every successful load, one at a time. */
  onLoad: (view: T) => void;
  /** Told of every notification for the table (and every resync), before the reload it triggers. */
  onChange?: () => void;
  /** Told the outcome of every reload, for metrics. */
  onReload?: (outcome: 'ok' | 'error') => void;
  /** What the warning of a failed reload says. @default `${table} reload failed; keeping the previous view` */
  failureMessage?: string;
}

export class TableWatcher<T> {
  readonly #options: TableWatcherOptions<T>;
  #state: TableWatcherState = 'created';
  #listener: ConfigChangeListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;

  constructor(options: TableWatcherOptions<T>) {
    this.#options = options;
  }

  get state(): TableWatcherState {
    return this.#state;
  }

  /** Loads the view (failing start when Postgres is unreachable), then follows changes. */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    // Listen first: a change committed between the load and the LISTEN would otherwise be missed.
    this.#listener = listenConfigChanges(
      this.#options.databaseUrl,
      (change) => {
        if (change.table !== this.#options.table && change.table !== '*') return;
        this.#options.onChange?.();
        void this.reload();
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

  /** Resolves once no reload is in flight (tests and start-up logs read a settled view). */
  async settled(): Promise<void> {
    while (this.#reloading !== undefined) await this.#reloading;
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
        this.#options.logger.warn({ err }, this.#options.failureMessage ?? `${this.#options.table} reload failed; keeping the previous view`);
      }
    } while (this.#reloadAgain && this.#state !== 'stopped');
  }

  async #load(): Promise<void> {
    const view = await this.#options.load(this.#options.knex);
    if (this.#state === 'stopped') return;
    this.#options.onLoad(view);
    this.#options.onReload?.('ok');
  }
}

export type ProcessorWatcherState = TableWatcherState;

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
  /**
   * `omit`: secret columns read as null and are never opened, for a service that has no use for them
   * (the router) and so needs no EY_SECRETS_KEY. @default 'open'
   */
  secrets?: 'open' | 'omit';
}

/** The processors table followed live (the router's routing index, the dispatcher's registry). */
export class ProcessorWatcher extends TableWatcher<ProcessorRecord[]> {
  constructor(options: ProcessorWatcherOptions) {
    super({
      ...options,
      table: 'processors',
      load: (knex) => listProcessors(knex, { secrets: options.secrets ?? 'open' }),
      failureMessage: 'processor config reload failed; keeping the previous configs',
    });
  }
}
