// Follows the api_keys table without a query per Report: whether any active key exists (the `auto`
// auth mode turns on once one does) and when keys change (so cached lookups of a revoked key are
// dropped at once). The table's trigger NOTIFYs `eventyard_config`; a periodic re-check covers
// expiries (no write, so no NOTIFY) and notifications lost while the listener was reconnecting.
import { type ComponentState, type Logger } from '@eventyard/core';
import { anyActiveApiKey, listenConfigChanges, type ConfigChangeListener, type Knex } from '@eventyard/db';

export interface ApiKeyWatchOptions {
  knex: Knex;
  /** For the dedicated LISTEN connection. */
  databaseUrl: string;
  /** Safety-net re-check interval. @default 5000 */
  pollMs?: number;
  /** Called on every api_keys change (and resync), before the active-key state is re-read. */
  onChange?: () => void;
  logger: Logger;
}

export class ApiKeyWatch {
  readonly #options: ApiKeyWatchOptions;
  readonly #log: Logger;
  #state: ComponentState = 'created';
  #anyActive = false;
  #listener: ConfigChangeListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The check in flight, and whether another must follow it (a change arrived meanwhile). */
  #checking: Promise<void> | undefined;
  #again = false;

  constructor(options: ApiKeyWatchOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'api-key-watch' });
  }

  get state(): ComponentState {
    return this.#state;
  }

  /** Whether an unrevoked, unexpired API key existed at the last check. */
  get anyActive(): boolean {
    return this.#anyActive;
  }

  /** Listens, then reads the state once (a failure here fails start-up: the mode would be unknown). */
  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    this.#state = 'starting';
    this.#listener = listenConfigChanges(
      this.#options.databaseUrl,
      (change) => {
        if (change.table !== 'api_keys' && change.table !== '*') return;
        this.#options.onChange?.();
        this.refresh();
      },
      { logger: this.#options.logger },
    );
    await this.#listener.ready;
    this.#anyActive = await anyActiveApiKey(this.#options.knex);
    this.#timer = setInterval(() => this.refresh(), this.#options.pollMs ?? 5000);
    this.#timer.unref();
    this.#state = 'running';
  }

  /** Re-reads the active-key state soon; calls while one runs coalesce into one more. */
  refresh(): void {
    if (this.#state !== 'running' && this.#state !== 'starting') return;
    if (this.#checking !== undefined) {
      this.#again = true;
      return;
    }
    this.#checking = this.#check().finally(() => {
      this.#checking = undefined;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  /** Resolves once the check in flight (if any) is done: tests and start-up logs read a settled state. */
  async settled(): Promise<void> {
    while (this.#checking !== undefined) await this.#checking;
  }

  async #check(): Promise<void> {
    try {
      const anyActive = await anyActiveApiKey(this.#options.knex);
      if (anyActive !== this.#anyActive) {
        this.#log.info({ anyActive }, anyActive ? 'an API key exists: auto mode now requires one on Report' : 'no active API key left: auto mode accepts anonymous Reports');
      }
      this.#anyActive = anyActive;
    } catch (err) {
      // Keep the last known state: flipping to "no keys" on a Postgres hiccup would open the door.
      this.#log.warn({ err }, 'could not re-check API keys; keeping the last known state');
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.settled();
    await this.#listener?.close();
  }
}
