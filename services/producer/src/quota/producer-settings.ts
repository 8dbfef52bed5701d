// The producer configs that matter to ingest, kept in memory: `qps` (the Report rate limit) and
// `anonymous` (Reports without an API key) per (app_id, topic_id). A TableWatcher over `producers`: the
// table's trigger NOTIFYs `eventyard_config`, and the periodic reload covers lost notifications. A failed
// reload keeps the last view, so a Postgres hiccup neither opens ingest nor lifts a limit. Only rows with
// qps > 0 or anonymous are loaded: the rest change nothing here.
import type { ComponentState, Logger } from '@eventyard/core';
import { listProducerIngestSettings, TableWatcher, type Knex, type ProducerIngestSettings } from '@eventyard/db';
import type { AnonymousGrants } from '../auth/api-key-auth.ts';

export class ProducerSettings implements AnonymousGrants {
  readonly #watcher: TableWatcher<ProducerIngestSettings[]>;
  #byTarget = new Map<string, ProducerIngestSettings>();

  constructor(options: { knex: Knex; databaseUrl: string; reloadMs: number; logger: Logger }) {
    const log = options.logger.child({ component: 'producer-settings' });
    this.#watcher = new TableWatcher<ProducerIngestSettings[]>({
      knex: options.knex,
      databaseUrl: options.databaseUrl,
      table: 'producers',
      reloadMs: options.reloadMs,
      logger: log,
      load: (knex) => listProducerIngestSettings(knex),
      onLoad: (rows) => {
        const next = new Map(rows.map((row) => [targetKey(row.app_id, row.topic_id), row]));
        for (const [key, row] of next) {
          if (row.anonymous && this.#byTarget.get(key)?.anonymous !== true)
            log.warn({ app_id: row.app_id, topic_id: row.topic_id }, 'producer config grants anonymous Reports (no API key needed)');
        }
        this.#byTarget = next;
      },
      failureMessage: 'could not reload producer configs; keeping the last known qps limits and anonymous grants',
    });
  }

  get state(): ComponentState {
    return this.#watcher.state;
  }

  start(): Promise<void> {
    return this.#watcher.start();
  }

  /** Resolves once the reload in flight (if any) is done. */
  settled(): Promise<void> {
    return this.#watcher.settled();
  }

  anonymousAllowed(appId: string, topicId: string): boolean {
    return this.#byTarget.get(targetKey(appId, topicId))?.anonymous === true;
  }

  /** The producer config's `qps` (0 = unlimited). */
  qps(appId: string, topicId: string): number {
    return this.#byTarget.get(targetKey(appId, topicId))?.qps ?? 0;
  }

  close(): Promise<void> {
    return this.#watcher.close();
  }
}

/** One string per (app_id, topic_id), unambiguous whatever characters the two hold. */
export function targetKey(appId: string, topicId: string): string {
  return JSON.stringify([appId, topicId]);
}
