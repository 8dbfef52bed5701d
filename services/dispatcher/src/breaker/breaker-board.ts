// The dispatcher instance's breakers, one per processor, and what follows their transitions: a log
// line, Prometheus metrics, the row of this instance in `processor_breakers` (plus a history entry),
// the `onProcessorStateChange` hook (the lead wires it to `eventyard.status`), and, when a breaker asks
// for it, the automatic pause of the processor (persisted as a manual pause is, with its reason).
// Each instance keeps its own breakers (it only sees its partitions); its rows are heartbeated while it
// runs and removed when it stops, so readers aggregate live instances only (see @eventyard/db).
// Writes go through one queue in transition order and are retried with backoff: a Postgres outage
// delays the health rows, never a delivery. An automatic pause is retried until it is written.
import type { Logger } from '@eventyard/core';
import { processorStateChange, type CircuitBreakerConfig, type ProcessorStateChange } from '@eventyard/evhub';
import { autoPauseProcessor, heartbeatBreakers, recordBreakerTransition, removeInstanceBreakers, type Knex } from '@eventyard/db';
import type { Registry } from 'prom-client';
import type { Clock } from '../limits/clock.ts';
import { BreakerGate } from './breaker-gate.ts';
import { createBreakerMetrics, type BreakerMetrics } from './breaker-metrics.ts';
import type { BreakerEvent, BreakerSnapshot, BreakerState } from './circuit-breaker.ts';

/** Wall-clock time and Node's timers. */
export const wallClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
});

export interface BreakerBoardOptions {
  knex: Knex;
  /** Names this instance's rows (EY_DISPATCHER_INSTANCE_ID). */
  instanceId: string;
  registry: Registry;
  logger: Logger;
  /** Called on every transition and automatic pause; exceptions are logged and ignored. */
  onProcessorStateChange?: ((change: ProcessorStateChange) => void) | undefined;
  /** @default wallClock */
  clock?: Clock;
  /** How often this instance's rows are marked live (and stale ones pruned). @default 30000 */
  heartbeatMs?: number;
}

export class BreakerBoard {
  readonly #options: BreakerBoardOptions;
  readonly #log: Logger;
  readonly #metrics: BreakerMetrics;
  readonly #clock: Clock;
  readonly #gates = new Map<string, BreakerGate>();
  readonly #abort = new AbortController();
  #writes: Promise<void> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: BreakerBoardOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'circuit-breaker' });
    this.#metrics = createBreakerMetrics(options.registry);
    this.#clock = options.clock ?? wallClock;
  }

  /** The processor's gate, created closed on first use. */
  gate(dispatcherId: string, config: () => CircuitBreakerConfig): BreakerGate {
    const existing = this.#gates.get(dispatcherId);
    if (existing !== undefined) return existing;
    const gate = new BreakerGate({
      dispatcherId,
      config,
      clock: this.#clock,
      onEvent: (event, snapshot) => this.#onEvent(dispatcherId, event, snapshot),
      onWaiting: (waiting) => this.#metrics.waiting.set({ processor: dispatcherId }, waiting),
    });
    this.#gates.set(dispatcherId, gate);
    this.#setStateGauge(dispatcherId, gate.state);
    return gate;
  }

  /** Processors with a breaker on this instance. */
  ids(): string[] {
    return [...this.#gates.keys()];
  }

  get(dispatcherId: string): BreakerGate | undefined {
    return this.#gates.get(dispatcherId);
  }

  /** The processor was deleted: its breaker goes (its rows went with the processor's row). */
  forget(dispatcherId: string): void {
    const gate = this.#gates.get(dispatcherId);
    if (gate === undefined) return;
    gate.close();
    this.#gates.delete(dispatcherId);
    for (const state of ['closed', 'open', 'half_open'] as const) this.#metrics.state.remove({ processor: dispatcherId, state });
    this.#metrics.waiting.remove({ processor: dispatcherId });
  }

  start(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      this.#enqueue('heartbeat', () => heartbeatBreakers(this.#options.knex, { instanceId: this.#options.instanceId }), 1);
    }, this.#options.heartbeatMs ?? 30_000);
    this.#heartbeat.unref();
  }

  /** Stops the timers, writes what is queued (briefly), and removes this instance's rows. */
  async close(): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const gate of this.#gates.values()) gate.close();
    const flushed = await Promise.race([this.#writes.then(() => true), delay(2000).then(() => false)]);
    this.#abort.abort();
    if (!flushed) this.#log.warn('breaker rows not all written before shutdown');
    await removeInstanceBreakers(this.#options.knex, this.#options.instanceId).catch((err: unknown) =>
      this.#log.warn({ err }, 'could not remove this instance’s breaker rows'),
    );
  }

  #onEvent(dispatcherId: string, event: BreakerEvent, snapshot: BreakerSnapshot): void {
    const at = new Date(event.at);
    if (event.kind === 'transition') {
      this.#metrics.transitions.inc({ processor: dispatcherId, from: event.from, to: event.to });
      this.#setStateGauge(dispatcherId, event.to);
      const fields = { dispatcher_id: dispatcherId, from: event.from, to: event.to, reason: event.reason, next_probe_at: iso(snapshot.nextProbeAt) };
      if (event.to === 'open') this.#log.warn(fields, 'circuit breaker opened: deliveries wait until a probe succeeds');
      else this.#log.info(fields, event.to === 'closed' ? 'circuit breaker closed' : 'circuit breaker half-open: probing');
      this.#notify(processorStateChange({ dispatcher_id: dispatcherId, state: event.to, at, reason: event.reason }));
      const { knex, instanceId } = this.#options;
      this.#enqueue(
        'record breaker transition',
        () =>
          recordBreakerTransition(knex, {
            dispatcher_id: dispatcherId,
            instance_id: instanceId,
            from_state: event.from,
            to_state: event.to,
            at,
            reason: event.reason,
            failing_since: date(snapshot.failingSince),
            last_failure_at: date(snapshot.lastFailureAt),
            last_failure: snapshot.lastFailure,
            next_probe_at: date(snapshot.nextProbeAt),
            consecutive_failures: snapshot.consecutiveFailures,
          }),
        5,
      );
      return;
    }
    this.#enqueue(
      'pause failing processor',
      async () => {
        const paused = await autoPauseProcessor(this.#options.knex, dispatcherId, {
          reason: event.reason,
          instanceId: this.#options.instanceId,
          at,
        });
        if (!paused) return;
        this.#metrics.autoPauses.inc({ processor: dispatcherId });
        this.#log.warn({ dispatcher_id: dispatcherId, reason: event.reason }, 'processor paused automatically: failing for too long; resume it once fixed');
        this.#notify(processorStateChange({ dispatcher_id: dispatcherId, state: 'auto_paused', at, reason: event.reason }));
      },
      Number.POSITIVE_INFINITY,
    );
  }

  #notify(change: ProcessorStateChange): void {
    try {
      this.#options.onProcessorStateChange?.(change);
    } catch (err) {
      this.#log.warn({ err, dispatcher_id: change.dispatcher_id }, 'onProcessorStateChange hook failed');
    }
  }

  #setStateGauge(dispatcherId: string, current: BreakerState): void {
    for (const state of ['closed', 'open', 'half_open'] as const) this.#metrics.state.set({ processor: dispatcherId, state }, state === current ? 1 : 0);
  }

  /** Runs `write` after the queued ones, up to `tries` times with backoff; a write never fails the queue. */
  #enqueue(step: string, write: () => Promise<unknown>, tries: number): void {
    const signal = this.#abort.signal;
    this.#writes = this.#writes.then(async () => {
      let wait = 200;
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          await write();
          return;
        } catch (err) {
          if (attempt >= tries) {
            this.#log.warn({ err, step }, 'breaker write failed; given up');
            return;
          }
          if (attempt === 1) this.#log.warn({ err, step }, 'breaker write failed; retrying');
          await delay(wait);
          wait = Math.min(wait * 2, 10_000);
        }
      }
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
