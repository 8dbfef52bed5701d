// What the delay-scheduler does with a record it cannot keep or fire: never skip it. A schedule record
// that is not a valid timer (or that Postgres refuses), and a due timer whose record is too large for
// Kafka, go to eventyard.dead with the reason and where they came from in the headers, and their event
// (when its id can be read: the `ey-event-id` header, else the timer id) gets status `rejected` with the
// reason. Both must be durable before the record counts as handled; a failure is retried by the caller.
import { DELIVERY_TOPIC_PREFIX, deadLetterMessage, storableText, Topics, type DeadLetterSource, type ManagedProducer } from '@eventyard/core';
import { recordEvents, routingStatusChanges, type EventInput, type Knex } from '@eventyard/db';
import type { StatusPublisher } from '@eventyard/evhub';
import { decodeMessage } from '@eventyard/proto';

export interface RejectedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  code: string;
  reason: string;
  source?: DeadLetterSource;
  eventId: string | null;
  /** The topic the record was for (a timer's target), to read the event's app and topic from its value. */
  targetTopic?: string;
  /** The event's own record, when `value` wraps it (a schedule item's value). */
  innerValue?: Buffer | null;
  /** Too large for any topic: the dead letter keeps key and headers only. */
  dropValue?: boolean;
}

export interface RejectedRecordsOptions {
  knex: Knex;
  /** Sends with the scheduler's idempotent producer (acks = all, under EY_KAFKA_MAX_BATCH_BYTES). */
  producer: () => ManagedProducer;
  timeoutMs: number;
  /** Publishes the `rejected` status changes to eventyard.status after their rows are written. @default none */
  status?: StatusPublisher;
}

export class RejectedRecords {
  readonly #o: RejectedRecordsOptions;

  constructor(options: RejectedRecordsOptions) {
    this.#o = options;
  }

  /** Dead-letters every record, then records the rejected events. Rejects when either fails. */
  async reject(records: readonly RejectedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const messages = records.map((r) => deadLetterMessage({ ...r, ...(r.source === undefined ? {} : { source: r.source }) }));
    await this.#o.producer().send([{ topic: Topics.dead, messages }], { timeoutMs: this.#o.timeoutMs });
    await this.recordOnly(records);
  }

  /** Only the history rows (the dead letter went out another way, e.g. in place of a refused record). */
  async recordOnly(records: readonly RejectedRecord[]): Promise<void> {
    const rows = new Map<string, EventInput>();
    for (const record of records) if (record.eventId !== null) rows.set(record.eventId, rejectedRow(record));
    await recordEvents(this.#o.knex, [...rows.values()]);
    await this.#o.status?.publish(this.#o.producer(), routingStatusChanges([...rows.values()], []));
  }
}

/**
 * The rejected event's row. An existing row (the event was routed, a retry timer is what failed) keeps
 * its app, topic and payload: recordEvents only updates status, reason and next due time.
 */
function rejectedRow(record: RejectedRecord): EventInput {
  const event = eventOf(record.targetTopic, record.innerValue ?? null);
  return {
    event_id: record.eventId ?? '',
    app_id: storableText(event?.app_id ?? ''),
    topic_id: storableText(event?.topic_id ?? ''),
    status: 'rejected',
    status_reason: storableText(record.reason),
    payload: event?.data ?? null,
  };
}

/** The event inside an ingest envelope or a delivery task, when it decodes. */
function eventOf(topic: string | undefined, value: Buffer | null): { app_id: string; topic_id: string; data: Buffer } | null {
  if (topic === undefined || value === null || value.length === 0) return null;
  try {
    if (topic === Topics.ingest) return decodeMessage('eventyard.v1.IngestEnvelope', value).event;
    if (topic.startsWith(DELIVERY_TOPIC_PREFIX)) return decodeMessage('eventyard.v1.DeliveryTask', value).event;
  } catch {
    // Not decodable: the row says only what is known.
  }
  return null;
}
