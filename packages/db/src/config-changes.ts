// Config changes reach running services without a restart: a trigger on producers, processors and
// api_keys NOTIFYs `eventyard_config` on every write (migration 0001), and listenConfigChanges keeps a
// dedicated connection LISTENing, reconnecting with backoff. After a reconnect it reports a `resync`,
// because notifications sent while disconnected are lost: the listener should reload everything.
import { silentLogger, type Logger } from '@eventyard/core';
import type { Knex } from 'knex';
import pg from 'pg';

export const CONFIG_CHANNEL = 'eventyard_config';

export interface ConfigChange {
  /** `producers`, `processors`, `api_keys`, another name passed to notifyConfigChange, or `*` on resync. */
  table: string;
  /** INSERT | UPDATE | DELETE, a custom op, or RESYNC after a reconnect. */
  op: string;
  /** Primary key of the changed row, e.g. `{ dispatcher_id }`. */
  key: Record<string, unknown>;
  version: number | null;
}

/** Announces a change the triggers do not see (or a bulk change); delivered when the transaction commits. */
export async function notifyConfigChange(knex: Knex, change: Omit<ConfigChange, 'version'> & { version?: number | null }): Promise<void> {
  await knex.raw('SELECT pg_notify(?, ?)', [CONFIG_CHANNEL, JSON.stringify({ version: null, ...change })]);
}

export interface ListenConfigChangesOptions {
  /** @default silent */
  logger?: Logger;
  /** First reconnect delay; doubles up to maxReconnectDelayMs. @default 100 */
  reconnectDelayMs?: number;
  /** @default 5000 */
  maxReconnectDelayMs?: number;
}

export interface ConfigChangeListener {
  /** Resolves once the first LISTEN is in place (changes committed after this are seen). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function listenConfigChanges(url: string, onChange: (change: ConfigChange) => void, options: ListenConfigChangesOptions = {}): ConfigChangeListener {
  const log = (options.logger ?? silentLogger()).child({ component: 'config-listener' });
  const baseDelay = options.reconnectDelayMs ?? 100;
  const maxDelay = options.maxReconnectDelayMs ?? 5000;
  let client: pg.Client | undefined;
  let closed = false;
  let connectedOnce = false;
  let delay = baseDelay;
  let retryTimer: NodeJS.Timeout | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const deliver = (change: ConfigChange): void => {
    try {
      onChange(change);
    } catch (err) {
      log.error({ err, table: change.table }, 'config change handler threw');
    }
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  };

  const connect = async (): Promise<void> => {
    const current = new pg.Client({ connectionString: url, application_name: 'eventyard-config-listener' });
    client = current;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      if (!closed) log.warn({ err }, 'config listener connection lost; reconnecting');
      current.removeAllListeners('notification');
      current.end().catch(() => undefined);
      scheduleReconnect();
    };
    current.on('error', fail);
    current.on('end', () => fail(new Error('connection ended')));
    current.on('notification', (message) => {
      if (message.channel !== CONFIG_CHANNEL || message.payload === undefined) return;
      try {
        const change = JSON.parse(message.payload) as ConfigChange;
        deliver({ table: change.table, op: change.op, key: change.key ?? {}, version: change.version ?? null });
      } catch (err) {
        log.warn({ err }, 'unparseable config notification ignored');
      }
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${CONFIG_CHANNEL}`);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (closed) {
      await current.end().catch(() => undefined);
      return;
    }
    delay = baseDelay;
    if (connectedOnce) {
      log.info('config listener reconnected');
      deliver({ table: '*', op: 'RESYNC', key: {}, version: null });
    }
    connectedOnce = true;
    resolveReady();
  };

  void connect();
  return {
    ready,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      resolveReady();
      const current = client;
      current?.removeAllListeners('notification');
      await current?.end().catch(() => undefined);
    },
  };
}
