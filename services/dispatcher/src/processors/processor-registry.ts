// Keeps the dispatcher's view of the processors table current without a restart: LISTEN/NOTIFY triggers
// a reload within milliseconds of a change, and a periodic full reload is the safety net. Reloads never
// overlap (changes during one coalesce into one follow-up); a failed reload keeps the previous view.
// Every successful load is handed to `onSnapshot`, which reconciles the running consumers.
import type { Logger } from '@eventyard/core';
import { listProcessors, listenConfigChanges, type ConfigChangeListener, type Knex } from '@eventyard/db';
import type { DispatcherMetrics } from '../metrics.ts';
import { processorSettings, type ProcessorSettings, type SettingsDefaults } from './processor-settings.ts';

export type RegistryState = 'created' | 'starting' | 'running' | 'stopped';

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
  #processors: ReadonlyMap<string, ProcessorSettings> = new Map();
  #state: RegistryState = 'created';
  #listener: ConfigChangeListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  #loadedOnce = false;
  /** `dispatcher_id@version` whose problems were logged already. */
  #reported = new Set<string>();

  constructor(options: ProcessorRegistryOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'processor-registry' });
  }

  get state(): RegistryState {
    return this.#state;
  }

  /** True once the first load succeeded. */
  get loaded(): boolean {
    return this.#loadedOnce;
  }

  get(dispatcherId: string): ProcessorSettings | undefined {
    return this.#processors.get(dispatcherId);
  }

  /** Loads the processors (start fails when Postgres is unreachable), then follows changes. */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    // LISTEN before the first load, so a change committed in between is not missed.
    this.#listener = listenConfigChanges(
      this.#options.databaseUrl,
      (change) => {
        if (change.table === 'processors' || change.table === '*') void this.reload();
      },
      { logger: this.#log },
    );
    await this.#listener.ready;
    await this.#load();
    this.#timer = setInterval(() => void this.reload(), this.#options.reloadMs);
    this.#timer.unref();
    this.#state = 'running';
  }

  /** Reloads now (coalescing with one in progress); resolves when a view at least this new is in place. Never rejects. */
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
        this.#options.metrics.configReloads.inc({ outcome: 'error' });
        this.#log.warn({ err }, 'processor config reload failed; keeping the previous configs');
      }
    } while (this.#reloadAgain && this.#state !== 'stopped');
  }

  async #load(): Promise<void> {
    const records = await listProcessors(this.#options.knex);
    if (this.#state === 'stopped') return;
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
    this.#options.metrics.configReloads.inc({ outcome: 'ok' });
    this.#options.onSnapshot(next);
  }
}
