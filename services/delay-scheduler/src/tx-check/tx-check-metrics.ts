// Prometheus metrics of transaction check-backs, on the delay-scheduler's registry.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface TxCheckMetrics {
  /** Check-backs by outcome: committed, rolled_back, retry, expired, resolved_elsewhere. */
  checks: Counter<'outcome'>;
  /** Time from claim to recorded outcome of one check-back. */
  durationSeconds: Histogram;
}

export function createTxCheckMetrics(registry: Registry): TxCheckMetrics {
  return {
    checks: new Counter({
      name: 'eventyard_scheduler_tx_checks_total',
      help: 'Transaction check-backs by outcome (committed, rolled_back, retry, expired, resolved_elsewhere)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    durationSeconds: new Histogram({
      name: 'eventyard_scheduler_tx_check_duration_seconds',
      help: 'Duration of one transaction check-back, call and database update',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
