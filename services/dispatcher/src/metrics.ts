// The dispatcher's Prometheus metrics, on the service's own registry (createMetricsRegistry).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface DispatcherMetrics {
  /** Attempts by processor, protocol and outcome (success / failure / cancel). */
  attempts: Counter<'processor' | 'protocol' | 'outcome'>;
  /** Time of one Dispatch call / webhook POST. */
  attemptSeconds: Histogram<'processor' | 'protocol'>;
  /** Records taken from Kafka and not finished yet, per processor. */
  inFlight: Gauge<'processor'>;
  /** Deliveries waiting for one of their processor's `concurrency` slots, read at each scrape from watchSlotWaits' source. */
  slotWaiting: Gauge<'processor'>;
  /** Where slotWaiting reads: per processor, how many deliveries wait for a slot. Nothing is counted per delivery. */
  watchSlotWaits: (source: () => Iterable<readonly [processor: string, waiting: number]>) => void;
  /** What followed each attempt: succeeded, retry_scheduled, dead, cancelled, failed. */
  deliveries: Counter<'processor' | 'result'>;
  /** Deliveries that ended dead (attempts exhausted) and went to the dead-letter topic. */
  dead: Counter<'processor'>;
  /** Delivery records that could not be decoded (sent to the dead-letter topic as they were). */
  badRecords: Counter<'processor'>;
  /** Attempt records Postgres refused as data (SQLSTATE class 22): `reduced` (written without the consumer's text) or `skipped`. */
  historyRejected: Counter<'processor' | 'action'>;
  /** Records fetched again while in flight or after finishing (a group rejoin), skipped. */
  refetched: Counter<'processor'>;
  /** Deliveries cancelled before they started because a rebalance began (delivered again after it). */
  rebalanceCancelled: Counter<'processor'>;
  /** Consumers running, one per active processor. */
  consumers: Gauge;
  /** Processor config reloads by outcome. */
  configReloads: Counter<'outcome'>;
  /** Offset commits by outcome. */
  commits: Counter<'outcome'>;
}

export function createDispatcherMetrics(registry: Registry): DispatcherMetrics {
  let slotWaits: () => Iterable<readonly [string, number]> = () => [];
  return {
    attempts: new Counter({
      name: 'eventyard_dispatcher_attempts_total',
      help: 'Delivery attempts by processor, protocol and outcome',
      labelNames: ['processor', 'protocol', 'outcome'] as const,
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'eventyard_dispatcher_attempt_seconds',
      help: 'Duration of one Dispatch call or webhook POST',
      labelNames: ['processor', 'protocol'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'eventyard_dispatcher_in_flight',
      help: 'Delivery records taken from Kafka and not finished, per processor',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    slotWaiting: new Gauge({
      name: 'eventyard_dispatcher_slot_waiting',
      help: "Deliveries waiting for one of their processor's concurrency slots; above 0 for long, the processor's concurrency caps its rate",
      labelNames: ['processor'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [processor, waiting] of slotWaits()) this.set({ processor }, waiting);
      },
    }),
    watchSlotWaits: (source) => {
      slotWaits = source;
    },
    deliveries: new Counter({
      name: 'eventyard_dispatcher_delivery_results_total',
      help: 'What followed each attempt: succeeded, retry_scheduled, dead, cancelled, failed',
      labelNames: ['processor', 'result'] as const,
      registers: [registry],
    }),
    dead: new Counter({
      name: 'eventyard_dispatcher_dead_total',
      help: 'Deliveries whose attempts were exhausted, sent to the dead-letter topic',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    badRecords: new Counter({
      name: 'eventyard_dispatcher_bad_records_total',
      help: 'Delivery records that could not be decoded, sent to the dead-letter topic as they were',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    historyRejected: new Counter({
      name: 'eventyard_dispatcher_history_rejected_total',
      help: 'Attempt records Postgres refused as data (SQLSTATE class 22), by what was done instead: reduced (written without the consumer text) or skipped',
      labelNames: ['processor', 'action'] as const,
      registers: [registry],
    }),
    refetched: new Counter({
      name: 'eventyard_dispatcher_refetched_skipped_total',
      help: 'Delivery records fetched again while running or after they finished (e.g. after a group rejoin), not delivered twice',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    rebalanceCancelled: new Counter({
      name: 'eventyard_dispatcher_rebalance_cancelled_total',
      help: 'Deliveries cancelled before their first send because a rebalance began; delivered again from the committed offset by the next owner',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    consumers: new Gauge({ name: 'eventyard_dispatcher_consumers', help: 'Processor consumers running', registers: [registry] }),
    configReloads: new Counter({
      name: 'eventyard_dispatcher_config_reloads_total',
      help: 'Processor config reloads by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    commits: new Counter({
      name: 'eventyard_dispatcher_offset_commits_total',
      help: 'Offset commits by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}
