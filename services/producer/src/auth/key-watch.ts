// Follows the api_keys table without a query per Report: whether any active key exists (the `auto`
// auth mode turns on once one does) and when keys change (so cached lookups of a revoked key are
// dropped at once). A TableWatcher over api_keys: the table's trigger NOTIFYs `eventyard_config`, and
// the periodic re-check covers expiries (no write, so no NOTIFY) and notifications lost while the
// listener was reconnecting. A failed re-check keeps the last known state: flipping to "no keys" on a
// Postgres hiccup would open the door.
import type { ComponentState, Logger } from '@eventyard/core';
import { anyActiveApiKey, TableWatcher, type Knex } from '@eventyard/db';

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
  readonly #watcher: TableWatcher<boolean>;
  #anyActive = false;
  #loaded = false;

  constructor(options: ApiKeyWatchOptions) {
    const log = options.logger.child({ component: 'api-key-watch' });
    this.#watcher = new TableWatcher<boolean>({
      knex: options.knex,
      databaseUrl: options.databaseUrl,
      table: 'api_keys',
      reloadMs: options.pollMs ?? 5000,
      logger: log,
      load: (knex) => anyActiveApiKey(knex),
      onLoad: (anyActive) => {
        if (this.#loaded && anyActive !== this.#anyActive) {
          log.info({ anyActive }, anyActive ? 'an API key exists: auto mode now requires one on Report' : 'no active API key left: auto mode accepts anonymous Reports');
        }
        this.#anyActive = anyActive;
        this.#loaded = true;
      },
      ...(options.onChange === undefined ? {} : { onChange: options.onChange }),
      failureMessage: 'could not re-check API keys; keeping the last known state',
    });
  }

  get state(): ComponentState {
    return this.#watcher.state;
  }

  /** Whether an unrevoked, unexpired API key existed at the last check. */
  get anyActive(): boolean {
    return this.#anyActive;
  }

  /** Listens, then reads the state once (a failure here fails start-up: the mode would be unknown). */
  start(): Promise<void> {
    return this.#watcher.start();
  }

  /** Re-reads the active-key state soon; calls while one runs coalesce into one more. */
  refresh(): void {
    void this.#watcher.reload();
  }

  /** Resolves once the check in flight (if any) is done: tests and start-up logs read a settled state. */
  settled(): Promise<void> {
    return this.#watcher.settled();
  }

  close(): Promise<void> {
    return this.#watcher.close();
  }
}
