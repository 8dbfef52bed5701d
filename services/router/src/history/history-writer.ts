// Writes a routing round's events and deliveries to Postgres in one transaction: one multi-row upsert
// per table (split only to stay under Postgres's 65535 bind parameters), both idempotent, so a round replayed after a
// crash rewrites the same rows. When Postgres refuses a round's rows as data (not as an outage), the
// round is written event by event and only the events it still refuses are left out, logged and
// counted: one unstorable event must not stall the partition forever.
import type { Logger } from '@eventyard/core';
import { recordDeliveries, recordEvents, type DeliveryInput, type EventInput, type Knex } from '@eventyard/db';
import type { RouterMetrics } from '../metrics.ts';

/** Rows per statement: events have 16 columns, deliveries 8; both stay well under 65535 parameters. */
const EVENT_ROWS_PER_STATEMENT = 2000;
const DELIVERY_ROWS_PER_STATEMENT = 5000;

export interface HistoryWriterOptions {
  knex: Knex;
  logger: Logger;
  metrics: RouterMetrics;
}

export class HistoryWriter {
  readonly #options: HistoryWriterOptions;
  readonly #log: Logger;

  constructor(options: HistoryWriterOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'history-writer' });
  }

  /** Resolves once every row is written (or refused as data and reported); rejects on an outage. */
  async write(events: readonly EventInput[], deliveries: readonly DeliveryInput[]): Promise<void> {
    try {
      await this.#writeAll(events, deliveries);
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.#log.warn({ err, events: events.length }, 'Postgres refused a round of history rows; writing them event by event');
      await this.#writeOneByOne(events, deliveries);
    }
  }

  async #writeAll(events: readonly EventInput[], deliveries: readonly DeliveryInput[]): Promise<void> {
    // One transaction, so a reader never sees a routed event without its deliveries.
    await this.#options.knex.transaction(async (trx) => {
      await inChunks(events, EVENT_ROWS_PER_STATEMENT, (rows) => recordEvents(trx, rows));
      await inChunks(deliveries, DELIVERY_ROWS_PER_STATEMENT, (rows) => recordDeliveries(trx, rows));
    });
  }

  async #writeOneByOne(events: readonly EventInput[], deliveries: readonly DeliveryInput[]): Promise<void> {
    const byEvent = new Map<string, DeliveryInput[]>();
    for (const delivery of deliveries) {
      let list = byEvent.get(delivery.event_id);
      if (list === undefined) byEvent.set(delivery.event_id, (list = []));
      list.push(delivery);
    }
    for (const event of events) {
      try {
        await this.#writeAll([event], byEvent.get(event.event_id) ?? []);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.#options.metrics.recordFailures.inc();
        this.#log.error({ err, event_id: event.event_id, app_id: event.app_id, topic_id: event.topic_id }, 'event routed but its history rows were refused');
      }
    }
  }
}

async function inChunks<T>(rows: readonly T[], size: number, write: (rows: readonly T[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < rows.length; start += size) await write(rows.slice(start, start + size));
}

/**
 * SQLSTATE classes that mean "these values", not "this connection": 22 data exception (bad encoding,
 * out of range), 23 integrity constraint violation (a CHECK), 54 program limit exceeded.
 */
function isDataError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
