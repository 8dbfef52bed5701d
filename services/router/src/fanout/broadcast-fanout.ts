// Produces a routing round's records, pacing broadcast fan-out: a broadcast to thousands of processors
// goes out in produce requests of at most `batchSize` broadcast tasks, at most `ratePerS` tasks a second
// (per router instance), instead of one request that floods Kafka. Batches are sent one after another in
// record order, so per-key order holds; a round without broadcasts is one request, exactly as before.
import type { RouterMetrics } from '../metrics.ts';
import type { OutgoingRecord } from '../routing/route-event.ts';
import { RatePacer } from './rate-pacer.ts';

export interface ProduceBatch {
  records: OutgoingRecord[];
  /** How many of `records` are broadcast tasks (what the rate limit counts). */
  broadcastTasks: number;
}

/**
 * Cuts `records` (in order) into produce batches holding at most `batchSize` broadcast tasks each; other
 * records ride along in whichever batch they fall into and never cause a cut.
 */
export function planProduceBatches(records: readonly OutgoingRecord[], batchSize: number): ProduceBatch[] {
  const batches: ProduceBatch[] = [];
  let current: ProduceBatch = { records: [], broadcastTasks: 0 };
  for (const record of records) {
    current.records.push(record);
    if (record.broadcast !== true) continue;
    current.broadcastTasks++;
    if (current.broadcastTasks >= batchSize) {
      batches.push(current);
      current = { records: [], broadcastTasks: 0 };
    }
  }
  if (current.records.length > 0) batches.push(current);
  return batches;
}

export interface BroadcastFanoutOptions {
  /** Most broadcast tasks per produce request. @default 500 */
  batchSize: number;
  /** Broadcast tasks per second per router instance; 0 = unlimited. @default 5000 */
  ratePerS: number;
  metrics: Pick<RouterMetrics, 'broadcastTasks' | 'broadcastBatches'>;
}

export class BroadcastFanout {
  readonly #batchSize: number;
  readonly #pacer: RatePacer;
  readonly #metrics: BroadcastFanoutOptions['metrics'];

  constructor(options: BroadcastFanoutOptions) {
    this.#batchSize = Math.max(1, options.batchSize);
    // A whole batch may go at once; the rate holds across batches.
    this.#pacer = new RatePacer({ ratePerS: options.ratePerS, burst: this.#batchSize });
    this.#metrics = options.metrics;
  }

  /**
   * Sends `records` through `send` (one produce request per call). `heartbeat` runs between paced
   * batches, so a long fan-out does not cost the consumer its group membership.
   */
  async produce(
    records: readonly OutgoingRecord[],
    send: (records: readonly OutgoingRecord[]) => Promise<void>,
    heartbeat?: () => Promise<void>,
  ): Promise<void> {
    if (!records.some((r) => r.broadcast === true)) {
      await send(records);
      return;
    }
    for (const batch of planProduceBatches(records, this.#batchSize)) {
      await this.#pacer.take(batch.broadcastTasks);
      await send(batch.records);
      this.#metrics.broadcastTasks.inc(batch.broadcastTasks);
      if (batch.broadcastTasks > 0) this.#metrics.broadcastBatches.inc();
      await heartbeat?.();
    }
  }
}
