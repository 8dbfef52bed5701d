// Keeps the dispatcher's view of the processors table current without a restart (ProcessorWatcher from
// @eventyard/db: LISTEN/NOTIFY plus a periodic reload); a failed reload keeps the previous view.
// Every successful load is handed to `onSnapshot`, which reconciles the running consumers.
import type { Logger } from '@eventyard/core';
import { ProcessorWatcher, type Knex, type ProcessorRecord, type ProcessorWatcherState } from '@eventyard/db';
import type { DispatcherMetrics } from '../metrics.ts';
import { processorSettings, type ProcessorSettings, type SettingsDefaults } from './processor-settings.ts';

export type RegistryState = ProcessorWatcherState;

export interface ProcessorRegistryOptions {
  knex: Knex;
  /** For the dedicated LISTEN connection. */
  databaseUrl: string;
  reloadMs: number;
  defaults: SettingsDefaults;
  logger: Logger;
  metrics: DispatcherMetrics;
  onSnapshot: (processors: ReadonlyMap<string, ProcessorSettings>) => void;
}

export class ProcessorRegistry {
  readonly #options: ProcessorRegistryOptions;
  readonly #log: Logger;
  readonly #watcher: ProcessorWatcher;
  #processors: ReadonlyMap<string, ProcessorSettings> = new Map();
  #loadedOnce = false;
  /** `dispatcher_id@version` whose problems were logged already. */
  #reported = new Set<string>();

  constructor(options: ProcessorRegistryOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'processor-registry' });
    this.#watcher = new ProcessorWatcher({
      knex: options.knex,
      databaseUrl: options.databaseUrl,
      reloadMs: options.reloadMs,
      logger: this.#log,
      onLoad: (records) => this.#apply(records),
      onReload: (outcome) => options.metrics.configReloads.inc({ outcome }),
    });
  }

  get state(): RegistryState {
    return this.#watcher.state;
  }

  /** True once the first load succeeded. */
  get loaded(): boolean {
    return this.#loadedOnce;
  }

  get(dispatcherId: string): ProcessorSettings | undefined {
    return this.#processors.get(dispatcherId);
  }

  /** Loads the processors (start fails when Postgres is unreachable), then follows changes. */
  start(): Promise<void> {
    return this.#watcher.start();
  }

  /** Reloads now (coalescing with one in progress); resolves when a view at least this new is in place. Never rejects. */
  reload(): Promise<void> {
    return this.#watcher.reload();
  }

  close(): Promise<void> {
    return this.#watcher.close();
  }

  #apply(records: ProcessorRecord[]): void {
    const next = new Map<string, ProcessorSettings>();
    const reported = new Set<string>();
    for (const record of records) {
      const settings = processorSettings(record, this.#options.defaults);
      next.set(settings.dispatcherId, settings);
      if (settings.problems.length > 0) {
        const key = `${settings.dispatcherId}@${settings.version}`;
        reported.add(key);
        if (!this.#reported.has(key)) {
          this.#log.error(
            { dispatcher_id: settings.dispatcherId, version: settings.version, problems: settings.problems },
            'stored processor config has invalid fields; using defaults for them',
          );
        }
      }
    }
    this.#reported = reported;
    this.#processors = next;
    this.#loadedOnce = true;
    this.#options.onSnapshot(next);
  }
}
