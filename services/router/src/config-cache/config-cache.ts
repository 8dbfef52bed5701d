// Keeps the routing index in step with the processors table without a restart: a LISTEN/NOTIFY
// listener triggers a reload on every config change (within milliseconds), and a periodic full reload is
// the safety net for anything a notification could miss. Reloads never overlap: changes arriving
// during one coalesce into a single follow-up reload. A failed reload keeps the previous index.
import type { Logger } from '@eventyard/core';
import { listProcessors, listenConfigChanges, type ConfigChangeListener, type Knex } from '@eventyard/db';
import type { RouterMetrics } from '../metrics.ts';
import { ProcessorIndex } from './processor-index.ts';

export type ConfigCacheState = 'created' | 'starting' | 'running' | 'stopped';

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
  #index: ProcessorIndex = ProcessorIndex.empty;
  #state: ConfigCacheState = 'created';
  #listener: ConfigChangeListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  /** `dispatcher_id@version` of bad filters already logged, so a periodic reload does not repeat them. */
  #reportedProblems = new Set<string>();

  constructor(options: ConfigCacheOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'config-cache' });
  }

  get state(): ConfigCacheState {
    return this.#state;
  }

  /** The current index; routing takes it once per round. */
  get index(): ProcessorIndex {
    return this.#index;
  }

  /** Loads the processors (failing start when Postgres is unreachable), then follows changes. */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    // Listen first: a change committed between the load and the LISTEN would otherwise be missed.
    this.#listener = listenConfigChanges(
      this.#options.databaseUrl,
      (change) => {
        if (change.table === 'processors' || change.table === '*') void this.requestReload();
      },
      { logger: this.#log },
    );
    await this.#listener.ready;
    await this.#load();
    this.#timer = setInterval(() => void this.requestReload(), this.#options.reloadMs);
    this.#timer.unref();
    this.#state = 'running';
  }

  /** Schedules a reload; resolves when an index at least as new as this request is in place. Never rejects. */
  requestReload(): Promise<void> {
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
        this.#options.metrics.configReloads.inc({ outcome: 'error' });
        this.#log.warn({ err }, 'processor config reload failed; keeping the previous configs');
      }
    } while (this.#reloadAgain && this.#state !== 'stopped');
  }

  async #load(): Promise<void> {
    const processors = await listProcessors(this.#options.knex);
    const index = ProcessorIndex.build(processors, this.#index);
    this.#index = index;
    this.#options.metrics.configReloads.inc({ outcome: 'ok' });
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
