// The router's Prometheus metrics, on the service's own registry (createMetricsRegistry).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RouterMetrics {
  /** Events routed, by outcome: routed | filtered | no_subscribers. */
  events: Counter<'status'>;
  /** Per-processor outcomes: pending (task produced) | scheduled (delay-process timer) | filtered. */
  deliveries: Counter<'dispatcher_id' | 'status'>;
  /** Ingest records skipped because they are not a valid IngestEnvelope, by reason. */
  decodeFailures: Counter<'reason'>;
  /** Events whose rows Postgres refused even one by one (routed, but missing from the history). */
  recordFailures: Counter;
  /** One routing round: decode, route, produce + record, resolve. */
  roundSeconds: Histogram;
  /** Ingest records per routing round. */
  roundRecords: Histogram;
  /** Messages behind the high watermark after the last routed batch, per ingest partition. */
  consumerLag: Gauge<'partition'>;
  /** Processor configs in the routing index, and how many of them have a filter that does not compile. */
  processors: Gauge<'state'>;
  /** Processor config reloads, by outcome: ok | error. */
  configReloads: Counter<'outcome'>;
  /** Ingest records fetched again after they were routed (a group rejoin), skipped rather than routed twice. */
  refetchedSkipped: Counter;
  /** Broadcast events routed. */
  broadcastEvents: Counter;
  /** Delivery tasks (and delay-process / repeat timers) produced for broadcasts. */
  broadcastTasks: Counter;
  /** Produce requests that carried broadcast tasks (at most EY_BROADCAST_BATCH_SIZE each). */
  broadcastBatches: Counter;
}

export function createRouterMetrics(registry: Registry): RouterMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'eventyard_router_events_total',
      help: 'Events routed, by resulting event status',
      labelNames: ['status'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'eventyard_router_deliveries_total',
      help: 'Per-processor routing outcomes (pending = task produced, scheduled = delay-process timer produced, filtered)',
      labelNames: ['dispatcher_id', 'status'] as const,
      registers,
    }),
    decodeFailures: new Counter({
      name: 'eventyard_router_decode_failures_total',
      help: 'Ingest records skipped because they are not a valid IngestEnvelope',
      labelNames: ['reason'] as const,
      registers,
    }),
    recordFailures: new Counter({
      name: 'eventyard_router_record_failures_total',
      help: 'Events routed whose history rows Postgres refused (logged with the event id)',
      registers,
    }),
    roundSeconds: new Histogram({
      name: 'eventyard_router_round_seconds',
      help: 'Latency of one routing round: decode, route, produce (acks = all) and record, until offsets are resolved',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    roundRecords: new Histogram({
      name: 'eventyard_router_round_records',
      help: 'Ingest records per routing round',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000, 10000],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'eventyard_router_consumer_lag',
      help: 'Ingest messages behind the high watermark after the last routed batch, per partition',
      labelNames: ['partition'] as const,
      registers,
    }),
    processors: new Gauge({
      name: 'eventyard_router_processors',
      help: 'Processor configs in the routing index (state: loaded | invalid_filter)',
      labelNames: ['state'] as const,
      registers,
    }),
    configReloads: new Counter({
      name: 'eventyard_router_config_reloads_total',
      help: 'Processor config reloads, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    refetchedSkipped: new Counter({
      name: 'eventyard_router_refetched_skipped_total',
      help: 'Ingest records fetched again after they were routed (a group rejoin), skipped rather than routed twice',
      registers,
    }),
    broadcastEvents: new Counter({
      name: 'eventyard_router_broadcast_events_total',
      help: 'Broadcast events routed (to every active processor of the topic)',
      registers,
    }),
    broadcastTasks: new Counter({
      name: 'eventyard_router_broadcast_tasks_total',
      help: 'Delivery tasks and delay-process/repeat timers produced for broadcast events',
      registers,
    }),
    broadcastBatches: new Counter({
      name: 'eventyard_router_broadcast_batches_total',
      help: 'Produce requests carrying broadcast tasks (at most EY_BROADCAST_BATCH_SIZE each, paced by EY_BROADCAST_RATE_PER_S)',
      registers,
    }),
  };
}
