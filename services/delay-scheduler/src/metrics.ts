// The delay-scheduler's Prometheus metrics, on the service's own registry (createMetricsRegistry).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SchedulerMetrics {
  /** Schedule records read, by outcome: inserted (new timer), duplicate (id existed), invalid (skipped). */
  scheduleRecords: Counter<'outcome'>;
  /** Timers produced to their target topic, by kind. */
  fired: Counter<'kind'>;
  /** Produce failures (the timer is released and retried with backoff), by kind. */
  fireFailures: Counter<'kind'>;
  /** Actual fire time (broker acknowledgement) minus due_at, by kind. */
  fireLagSeconds: Histogram<'kind'>;
  /** Claimed timers held in memory, waiting for their due time or in flight. */
  held: Gauge;
  /** Timers in the schedules table (every instance's), read on scrape. */
  pending: Gauge;
}

export function createSchedulerMetrics(registry: Registry, countPending: () => Promise<number>): SchedulerMetrics {
  return {
    scheduleRecords: new Counter({
      name: 'eventyard_scheduler_schedule_records_total',
      help: 'Records consumed from eventyard.schedule, by outcome (inserted, duplicate, invalid)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    fired: new Counter({
      name: 'eventyard_scheduler_timers_fired_total',
      help: 'Timers produced to their target topic, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    fireFailures: new Counter({
      name: 'eventyard_scheduler_fire_failures_total',
      help: 'Timers whose produce failed and will be retried with backoff, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    fireLagSeconds: new Histogram({
      name: 'eventyard_scheduler_fire_lag_seconds',
      help: 'Broker acknowledgement of a fired timer minus its due time (overdue timers after a restart show here too)',
      labelNames: ['kind'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    held: new Gauge({
      name: 'eventyard_scheduler_timers_held',
      help: 'Claimed timers held in memory by this instance',
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'eventyard_scheduler_timers_pending',
      help: 'Timers waiting in the schedules table (all instances)',
      registers: [registry],
      async collect() {
        try {
          this.set(await countPending());
        } catch {
          // The database is down: keep the last value rather than failing the whole scrape.
        }
      },
    }),
  };
}
