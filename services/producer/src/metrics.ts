// The producer's Prometheus metrics, on the service's own registry (createMetricsRegistry).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProducerMetrics {
  /** Reports answered, by edge (grpc/http) and EvHub result code (0 = accepted). */
  reports: Counter<'edge' | 'code'>;
  /** Time from handing a record to the publisher to the broker's acknowledgement (or failure). */
  publishSeconds: Histogram<'topic' | 'outcome'>;
  /** Reports answered from a done idempotency key (its event written) without publishing. */
  idempotentDuplicates: Counter;
  /** Records of source topics by outcome: ingested, duplicate (idempotency key done), rejected (dead-lettered), retried. */
  sourceRecords: Counter<'source_id' | 'outcome'>;
  /** Sources whose consumer runs in this instance. */
  sourcesRunning: Gauge;
}

export function createProducerMetrics(registry: Registry): ProducerMetrics {
  return {
    reports: new Counter({
      name: 'eventyard_producer_reports_total',
      help: 'Reports answered, by edge and EvHub result code (0 = accepted)',
      labelNames: ['edge', 'code'] as const,
      registers: [registry],
    }),
    publishSeconds: new Histogram({
      name: 'eventyard_producer_publish_seconds',
      help: 'Latency from publish to broker acknowledgement (acks = all)',
      labelNames: ['topic', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    idempotentDuplicates: new Counter({
      name: 'eventyard_producer_idempotent_duplicates_total',
      help: 'Reports whose idempotency key was already done: answered with the written event_id of its first Report, nothing published',
      registers: [registry],
    }),
    sourceRecords: new Counter({
      name: 'eventyard_producer_source_records_total',
      help: 'Records of source topics by outcome: ingested, duplicate (its idempotency key was done), rejected (dead-lettered with a history row), retried (a retriable failure, tried again)',
      labelNames: ['source_id', 'outcome'] as const,
      registers: [registry],
    }),
    sourcesRunning: new Gauge({
      name: 'eventyard_producer_sources_running',
      help: 'Sources whose consumer runs in this producer instance',
      registers: [registry],
    }),
  };
}
