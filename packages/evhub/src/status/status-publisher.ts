// Publishes status changes to `eventyard.status` right after the history rows they describe were written,
// through the service's own ManagedProducer. A failed publish is logged and counted, never thrown: the
// history write stands and the caller goes on (its offsets may then move on, so a change lost to a long
// broker outage stays lost from the stream; the history keeps it). A crash before the publish re-runs the
// write and the publish with the record: at least once, duplicates possible.
import { byTopic, Topics, type Logger, type ManagedProducer } from '@eventyard/core';
import { Counter, type Registry } from 'prom-client';
import { statusChangeRecord, type StatusChange } from './status-change.ts';

const METRIC = 'eventyard_status_changes_published_total';

export interface StatusPublisherOptions {
  logger: Logger;
  /** Where `eventyard_status_changes_published_total{outcome}` is registered (once per registry). */
  registry?: Registry;
  /** Longest wait for the broker's acknowledgement. @default 10000 */
  timeoutMs?: number;
  /** @default Topics.status */
  topic?: string;
}

export class StatusPublisher {
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #topic: string;
  readonly #published: Counter<'outcome'> | undefined;

  constructor(options: StatusPublisherOptions) {
    this.#log = options.logger.child({ component: 'status-publisher' });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#topic = options.topic ?? Topics.status;
    const registry = options.registry;
    if (registry !== undefined) {
      this.#published =
        (registry.getSingleMetric(METRIC) as Counter<'outcome'> | undefined) ??
        new Counter({
          name: METRIC,
          help: 'Status changes published to eventyard.status, by outcome (ok, failed)',
          labelNames: ['outcome'] as const,
          registers: [registry],
        });
    }
  }

  /** The topic changes go to. */
  get topic(): string {
    return this.#topic;
  }

  /** Sends the changes (acks = all); resolves true once acknowledged, false (logged, counted) when that failed. */
  async publish(producer: Pick<ManagedProducer, 'send'>, changes: readonly StatusChange[]): Promise<boolean> {
    if (changes.length === 0) return true;
    try {
      await producer.send(byTopic(changes.map((change) => statusChangeRecord(change, this.#topic))), { timeoutMs: this.#timeoutMs });
      this.#published?.inc({ outcome: 'ok' }, changes.length);
      return true;
    } catch (err) {
      this.#published?.inc({ outcome: 'failed' }, changes.length);
      this.#log.warn({ err, topic: this.#topic, changes: changes.length }, 'status changes recorded in the history but not published');
      return false;
    }
  }
}
