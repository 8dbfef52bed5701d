// Follows the api_keys table without a query per Report: when keys change (so cached lookups of a
// revoked key are dropped at once), and whether any active key exists, which only the logs read (a
// producer requiring keys while none exists refuses every Report that is not granted anonymous access;
// no key state ever opens ingest). A TableWatcher over api_keys: the table's trigger NOTIFYs `eventyard_config`, and
// the periodic re-check covers expiries (no write, so no NOTIFY) and notifications lost while the
// listener was reconnecting. A failed re-check keeps the last known state.
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
          if (anyActive) log.info({ anyActive }, 'an active API key exists again');
          else
            log.warn(
              { anyActive },
              'no active API key left: only Reports for producer configs granting anonymous access are accepted (or any, with EY_REQUIRE_API_KEY=false)',
            );
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
