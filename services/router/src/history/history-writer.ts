// Writes a routing round's events and deliveries to Postgres: one statement (recordRound) per chunk of
// events with their deliveries, idempotent, so a round replayed after a crash rewrites the same rows;
// a round is one chunk unless its payloads are large. When Postgres refuses a round's rows as data (not as an outage), the
// round is written event by event; an event it still refuses is written again in a reduced form (its
// text made storable, its trigger and tags left out, the reason in status_reason) so GET /v1/events/:id
// answers for it, and only when even that is refused is it left out, logged and counted: one
// unstorable event must not stall the partition forever. The producer and the decoder refuse what
// Postgres cannot store, so this is the last line of defence.
import { storableText, type Logger } from '@eventyard/core';
import { dataErrorText, recordRound, type DeliveryInput, type EventInput, type Knex } from '@eventyard/db';
import type { RouterMetrics } from '../metrics.ts';

/** Bounds on one statement: a bytea[] parameter must stay far below Postgres's 1 GB field limit. */
const EVENTS_PER_STATEMENT = 2000;
const PAYLOAD_BYTES_PER_STATEMENT = 32 * 1024 * 1024;

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
    // An event and its deliveries always share a statement, so a reader never sees a routed event
    // without its deliveries.
    const byEvent = deliveriesByEvent(deliveries);
    let chunk: EventInput[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await recordRound(
        this.#options.knex,
        chunk,
        chunk.flatMap((e) => byEvent.get(e.event_id) ?? []),
      );
      chunk = [];
      bytes = 0;
    };
    for (const event of events) {
      const size = event.payload?.length ?? 0;
      if (chunk.length > 0 && (chunk.length >= EVENTS_PER_STATEMENT || bytes + size > PAYLOAD_BYTES_PER_STATEMENT)) await flush();
      chunk.push(event);
      bytes += size;
    }
    await flush();
    // Deliveries of events not in this round (none today) still get written.
    const known = new Set(events.map((e) => e.event_id));
    const orphans = deliveries.filter((d) => !known.has(d.event_id));
    if (orphans.length > 0) await recordRound(this.#options.knex, [], orphans);
  }

  async #writeOneByOne(events: readonly EventInput[], deliveries: readonly DeliveryInput[]): Promise<void> {
    const byEvent = deliveriesByEvent(deliveries);
    for (const event of events) {
      const own = byEvent.get(event.event_id) ?? [];
      try {
        await this.#writeAll([event], own);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.#options.metrics.recordFailures.inc();
        try {
          await this.#writeAll(
            [reduced(event, err)],
            own.map((d) => ({ ...d, app_id: storableText(d.app_id), topic_id: storableText(d.topic_id), dispatcher_id: storableText(d.dispatcher_id) })),
          );
          this.#log.error(
            { err, event_id: event.event_id, trace_id: event.trace_id ?? undefined },
            'history rows of a routed event were refused; written without its trigger and tags',
          );
        } catch (again) {
          if (!isDataError(again)) throw again;
          this.#log.error(
            { err: again, event_id: event.event_id, trace_id: event.trace_id ?? undefined, app_id: event.app_id, topic_id: event.topic_id },
            'event routed but its history rows were refused',
          );
        }
      }
    }
  }
}

/** The event as Postgres stores it whatever it holds: text made storable, the jsonb columns left out, and why. */
function reduced(event: EventInput, err: unknown): EventInput {
  const { trigger: _trigger, event_comm: _comm, ...rest } = event;
  const reason = `history row refused by Postgres (${dataErrorText(err)}); stored without its trigger and tags`;
  return {
    ...rest,
    app_id: storableText(event.app_id),
    topic_id: storableText(event.topic_id),
    status_reason: storableText(reason),
    ordering_key: event.ordering_key === null || event.ordering_key === undefined ? null : storableText(event.ordering_key),
    idempotency_key: event.idempotency_key === null || event.idempotency_key === undefined ? null : storableText(event.idempotency_key),
    api_key_id: event.api_key_id === null || event.api_key_id === undefined ? null : storableText(event.api_key_id),
  };
}

function deliveriesByEvent(deliveries: readonly DeliveryInput[]): Map<string, DeliveryInput[]> {
  const byEvent = new Map<string, DeliveryInput[]>();
  for (const delivery of deliveries) {
    let list = byEvent.get(delivery.event_id);
    if (list === undefined) byEvent.set(delivery.event_id, (list = []));
    list.push(delivery);
  }
  return byEvent;
}

/**
 * SQLSTATE classes that mean "these values", not "this connection": 22 data exception (bad encoding,
 * out of range), 23 integrity constraint violation (a CHECK), 54 program limit exceeded.
 */
function isDataError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
