// Keeps the routing index in step with the processors table without a restart (ProcessorWatcher from
// @eventyard/db: LISTEN/NOTIFY plus a periodic reload). A failed reload keeps the previous index.
import type { Logger } from '@eventyard/core';
import { ProcessorWatcher, type Knex, type ProcessorRecord, type ProcessorWatcherState } from '@eventyard/db';
import type { RouterMetrics } from '../metrics.ts';
import { ProcessorIndex } from './processor-index.ts';

export type ConfigCacheState = ProcessorWatcherState;

export interface ConfigCacheOptions {
  knex: Knex;
  /** URL of the database, for the dedicated LISTEN connection. */
  databaseUrl: string;
  /** Period of the full reload. */
  reloadMs: number;
  logger: Logger;
  metrics: RouterMetrics;
  /** Called with each new index after it is swapped in (e.g. to create delivery topics ahead of use). */
  onIndex?: (index: ProcessorIndex) => void;
}

export class ConfigCache {
  readonly #options: ConfigCacheOptions;
  readonly #log: Logger;
  readonly #watcher: ProcessorWatcher;
  #index: ProcessorIndex = ProcessorIndex.empty;
  /** `dispatcher_id@version` of bad filters already logged, so a periodic reload does not repeat them. */
  #reportedProblems = new Set<string>();

  constructor(options: ConfigCacheOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'config-cache' });
    this.#watcher = new ProcessorWatcher({
      knex: options.knex,
      databaseUrl: options.databaseUrl,
      reloadMs: options.reloadMs,
      logger: this.#log,
      onLoad: (processors) => this.#apply(processors),
      onReload: (outcome) => options.metrics.configReloads.inc({ outcome }),
      // Routing needs no secrets, so the router needs no EY_SECRETS_KEY.
      secrets: 'omit',
    });
  }

  get state(): ConfigCacheState {
    return this.#watcher.state;
  }

  /** The current index; routing takes it once per round. */
  get index(): ProcessorIndex {
    return this.#index;
  }

  /** Loads the processors (failing start when Postgres is unreachable), then follows changes. */
  start(): Promise<void> {
    return this.#watcher.start();
  }

  /** Schedules a reload; resolves when an index at least as new as this request is in place. Never rejects. */
  requestReload(): Promise<void> {
    return this.#watcher.reload();
  }

  close(): Promise<void> {
    return this.#watcher.close();
  }

  #apply(processors: ProcessorRecord[]): void {
    const index = ProcessorIndex.build(processors, this.#index);
    this.#index = index;
    this.#options.metrics.processors.set({ state: 'loaded' }, index.targets.length);
    this.#options.metrics.processors.set({ state: 'invalid_filter' }, index.filterProblems.length);
    const current = new Set<string>();
    for (const problem of index.filterProblems) {
      const key = `${problem.dispatcherId}@${problem.version}`;
      current.add(key);
      if (!this.#reportedProblems.has(key)) {
        this.#log.error(
          { err: problem.error, dispatcher_id: problem.dispatcherId, version: problem.version },
          'stored processor filter does not compile; the processor matches no event until it is fixed',
        );
      }
    }
    this.#reportedProblems = current;
    this.#options.onIndex?.(index);
  }
}
