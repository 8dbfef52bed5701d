// Prometheus metrics of the circuit breakers, registered on the dispatcher's registry.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface BreakerMetrics {
  /** 1 for the state the processor's breaker is in on this instance, 0 for the others. */
  state: Gauge<'processor' | 'state'>;
  /** Breaker transitions by processor, from and to. */
  transitions: Counter<'processor' | 'from' | 'to'>;
  /** Processors this instance paused for failing too long. */
  autoPauses: Counter<'processor'>;
  /** Deliveries waiting at an open (or half-open) breaker. */
  waiting: Gauge<'processor'>;
}

export function createBreakerMetrics(registry: Registry): BreakerMetrics {
  return {
    state: new Gauge({
      name: 'eventyard_dispatcher_breaker_state',
      help: 'Circuit breaker state per processor on this instance: 1 for the current state (closed, open, half_open)',
      labelNames: ['processor', 'state'] as const,
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'eventyard_dispatcher_breaker_transitions_total',
      help: 'Circuit breaker transitions per processor',
      labelNames: ['processor', 'from', 'to'] as const,
      registers: [registry],
    }),
    autoPauses: new Counter({
      name: 'eventyard_dispatcher_auto_pauses_total',
      help: 'Processors paused automatically after failing for longer than auto_pause_after_ms',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
    waiting: new Gauge({
      name: 'eventyard_dispatcher_breaker_waiting',
      help: 'Deliveries waiting at an open circuit breaker (the rest wait in the delivery topic)',
      labelNames: ['processor'] as const,
      registers: [registry],
    }),
  };
}
