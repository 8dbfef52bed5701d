// History retention inside the admin process: every interval, one pass of pruneHistory (events older
// than the retention with their deliveries and attempts, resolved transactions, published outbox rows,
// expired idempotency keys) and, when set, prunePayloads. With several admin instances one pass runs at
// a time: the pass holds a session advisory lock on its own one-connection pool (a lock that dies with
// the connection, so a crashed holder frees it), and the others skip that round.
import type { ComponentState, Logger } from '@eventyard/core';
import { createKnex, pruneHistory, prunePayloads, type Knex } from '@eventyard/db';
import type { Counter } from 'prom-client';

/** pg_advisory_lock key of the retention pass ('eyretent' as 8 bytes, arbitrary but fixed). */
const RETENTION_LOCK_KEY = '7311146993669633140';

export interface RetentionJobOptions {
  databaseUrl: string;
  logger: Logger;
  /** History older than this is deleted. */
  historyRetentionMs: number;
  /** Payloads older than this are dropped (0 = they go with their events). */
  payloadRetentionMs: number;
  /** Time between passes. */
  intervalMs: number;
  /** Rows deleted, by table. */
  deleted?: Counter<'table'>;
  /** @default 1000 */
  batchSize?: number;
}

export interface RetentionJob {
  readonly state: ComponentState;
  start(): void;
  /** Runs one pass now (unless another instance holds the lock); resolves with whether it ran. */
  runOnce(): Promise<boolean>;
  /** Lets a running pass finish its batch loop, then closes the pool; idempotent. */
  close(): Promise<void>;
}

export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const log = options.logger.child({ component: 'retention' });
  // Its own pool of one: the advisory lock is a session lock, so every statement of a pass must run on
  // the connection that took it; and pruning never takes a connection the API's requests wait for.
  const knex: Knex = createKnex(options.databaseUrl, { poolMax: 1, poolMin: 0, applicationName: 'eventyard-retention', logger: log });
  let state: ComponentState = 'created';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  // Aborted by close(): a long pass (a backlog after an outage) stops between batches.
  const stopping = new AbortController();

  const pass = async (): Promise<boolean> => {
    const { rows } = await knex.raw<{ rows: Array<{ locked: boolean }> }>('SELECT pg_try_advisory_lock(?::bigint) AS locked', [RETENTION_LOCK_KEY]);
    if (rows[0]?.locked !== true) return false;
    try {
      const began = Date.now();
      const history = await pruneHistory(knex, {
        olderThan: new Date(Date.now() - options.historyRetentionMs),
        batchSize: options.batchSize ?? 1000,
        signal: stopping.signal,
      });
      const payloads =
        options.payloadRetentionMs > 0
          ? await prunePayloads(knex, { olderThan: new Date(Date.now() - options.payloadRetentionMs), batchSize: options.batchSize ?? 1000 })
          : 0;
      for (const [table, n] of Object.entries({ ...history, payloads })) if (n > 0) options.deleted?.inc({ table }, n);
      const total = history.events + history.deliveries + history.attempts;
      if (total > 0 || payloads > 0) log.info({ ...history, payloads, ms: Date.now() - began }, 'history pruned');
      return true;
    } finally {
      await knex.raw('SELECT pg_advisory_unlock(?::bigint)', [RETENTION_LOCK_KEY]);
    }
  };

  const runOnce = (): Promise<boolean> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (): void => {
    if (state !== 'running') return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => log.warn({ err }, 'history pruning failed; retried next interval'))
        .finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };

  return {
    get state() {
      return state;
    },
    start() {
      if (state !== 'created') return;
      state = 'running';
      schedule();
    },
    runOnce,
    async close() {
      if (state === 'stopped' || state === 'draining') return;
      state = 'draining';
      clearTimeout(timer);
      stopping.abort();
      await running?.catch(() => undefined);
      await knex.destroy();
      state = 'stopped';
    },
  };
}
