// Writes history the way the pipeline does, at a fixed rate: a "router" records each round's events
// with their deliveries in one statement (recordRound), and a "dispatcher" records the attempts of the
// round before as one group commit (writeAttempts), each on its own pool, every tick. Every statement's
// latency is kept, tagged with the phase it ran in, so the bench compares phases with and without
// pruning in one run.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdGenerator } from '@eventyard/core';
import { recordRound, writeAttempts, type AttemptInput, type DeliveryInput, type EventInput, type Knex } from '@eventyard/db';
import { DISPATCHERS } from './seed.ts';

export interface WriterOptions {
  router: Knex;
  dispatcher: Knex;
  /** Events per second. */
  rate: number;
  /** @default 100 */
  tickMs?: number;
}

export interface WriterSamples {
  round: number[];
  attempts: number[];
  /** Rows inserted (events + deliveries + attempts). */
  rows: number;
  /** Ticks that started later than one tick behind schedule (the writers could not keep the rate). */
  lateTicks: number;
}

const PAYLOAD = Buffer.from('{"a":1}'.repeat(32));

export class PipelineWriters {
  readonly #options: Required<WriterOptions>;
  readonly #ids = new IdGenerator({ nodeId: 1 });
  #phase = 'idle';
  readonly #samples = new Map<string, WriterSamples>();
  #stopped = false;
  #loops: Promise<void>[] = [];
  #pending: AttemptInput[] = [];
  #seq = 0;

  constructor(options: WriterOptions) {
    this.#options = { tickMs: 100, ...options };
  }

  /** Samples from now on are counted under this phase's name. */
  set phase(name: string) {
    this.#phase = name;
  }

  samples(phase: string): WriterSamples {
    let s = this.#samples.get(phase);
    if (s === undefined) {
      s = { round: [], attempts: [], rows: 0, lateTicks: 0 };
      this.#samples.set(phase, s);
    }
    return s;
  }

  start(): void {
    this.#loops = [this.#loop((s) => this.#routerTick(s)), this.#loop((s) => this.#dispatcherTick(s))];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  async #loop(tick: (samples: WriterSamples) => Promise<void>): Promise<void> {
    const { tickMs } = this.#options;
    let next = performance.now();
    while (!this.#stopped) {
      const samples = this.samples(this.#phase);
      await tick(samples);
      next += tickMs;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -tickMs) {
        samples.lateTicks += 1;
        next = performance.now(); // behind by more than a tick: do not burst to catch up
      }
    }
  }

  async #routerTick(samples: WriterSamples): Promise<void> {
    const n = Math.max(1, Math.round((this.#options.rate * this.#options.tickMs) / 1000));
    const events: EventInput[] = [];
    const deliveries: DeliveryInput[] = [];
    const now = new Date();
    for (let i = 0; i < n; i++) {
      const seq = this.#seq++;
      const event: EventInput = {
        event_id: this.#ids.next(),
        app_id: `app-${seq % 10}`,
        topic_id: `topic-${(seq >> 3) % 5}`,
        status: 'routed',
        payload: PAYLOAD,
        created_at: now,
      };
      events.push(event);
      for (const k of [0, 1]) {
        deliveries.push({
          event_id: event.event_id,
          dispatcher_id: DISPATCHERS[(seq + k) % 4] ?? 'billing',
          app_id: event.app_id,
          topic_id: event.topic_id,
          status: 'pending',
        });
      }
    }
    const began = performance.now();
    await recordRound(this.#options.router, events, deliveries);
    samples.round.push(performance.now() - began);
    samples.rows += events.length + deliveries.length;
    const finished = new Date();
    for (const d of deliveries) {
      this.#pending.push({
        ...d,
        retry_times: 0,
        repeat_times: 0,
        started_at: now,
        finished_at: finished,
        outcome: 'success',
        response_status: 200,
        delivery_status: 'succeeded',
      });
    }
  }

  async #dispatcherTick(samples: WriterSamples): Promise<void> {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const began = performance.now();
    await writeAttempts(this.#options.dispatcher, batch);
    samples.attempts.push(performance.now() - began);
    samples.rows += batch.length;
  }
}
