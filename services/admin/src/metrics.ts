// The admin service's Prometheus metrics, on the service's own registry (createMetricsRegistry).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface AdminMetrics {
  /** Requests answered, by method, route pattern and status. */
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route'>;
  /** Rows the retention job deleted, by table (events, deliveries, attempts, …, payloads). */
  retentionDeleted: Counter<'table'>;
}

export function createAdminMetrics(registry: Registry): AdminMetrics {
  return {
    requests: new Counter({
      name: 'eventyard_admin_requests_total',
      help: 'Admin API requests answered, by method, route pattern and HTTP status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'eventyard_admin_request_seconds',
      help: 'Admin API request latency',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'eventyard_admin_retention_deleted_total',
      help: 'History rows deleted by the retention job, by table (payloads: payloads dropped)',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
  };
}
