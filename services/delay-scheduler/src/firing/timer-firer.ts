// Fires durable timers on time. A poll loop claims timers due within the lookahead (FOR UPDATE SKIP
// LOCKED + a claim lease, so instances share the work without double firing) and holds them in a
// min-heap; one setTimeout wakes at the earliest due time and produces every due timer, then deletes it.
// A crash between produce and delete only re-fires after the lease; a failed produce releases the claim
// and retries with backoff; overdue timers (after a restart, say) are claimed first and fire at once.
import { PollBackoff, type ComponentState, type Logger } from '@eventyard/core';
import { claimDueTimers, completeTimers, releaseTimers, type Knex, type TimerRecord } from '@eventyard/db';
import type { SchedulerMetrics } from '../metrics.ts';
import { TimerHeap } from './timer-heap.ts';
import type { ProduceResult } from './timer-producer.ts';

export interface TimerFirerOptions {
  knex: Knex;
  /** This instance's claim owner name. */
  owner: string;
  /** Claim timers due within this many ms ahead and hold them in memory. */
  lookaheadMs: number;
  pollMs: number;
  /** Longest poll interval once polls that claim nothing have backed it off (doubling from pollMs). @default pollMs */
  idlePollMs?: number;
  claimMs: number;
  /** Most timers claimed per poll and produced per round. */
  batchSize: number;
  maxHeld: number;
  retryBaseMs: number;
  retryMaxMs: number;
  produce: (timers: readonly TimerRecord[]) => Promise<ProduceResult>;
  metrics: SchedulerMetrics;
  logger: Logger;
}

interface Held {
  timer: TimerRecord;
  fireAt: number;
}

interface Failure {
  count: number;
  retryAt: number;
}

export class TimerFirer {
  readonly #o: TimerFirerOptions;
  readonly #log: Logger;
  readonly #held = new Map<string, Held>();
  readonly #heap = new TimerHeap();
  /** Per-timer backoff after failed produces, kept across release and re-claim. */
  readonly #failures = new Map<string, Failure>();
  /** Produced but not yet deleted (the delete failed): retried on the next poll. */
  readonly #toComplete = new Set<string>();
  #state: ComponentState = 'created';
  #pollTimer: NodeJS.Timeout | undefined;
  #fireTimer: NodeJS.Timeout | undefined;
  #fireTimerAt = Infinity;
  #polling: Promise<void> | undefined;
  #pollAgain = false;
  #firing: Promise<void> | undefined;
  /** The last claim returned a full batch: more may be due, poll again once this round is out. */
  #backlog = false;
  #databaseOk = false;
  readonly #backoff: PollBackoff;
  /** The last poll claimed timers (or failed): poll again soon. */
  #claimedAny = true;

  constructor(options: TimerFirerOptions) {
    this.#o = options;
    this.#backoff = new PollBackoff(options.pollMs, options.idlePollMs ?? options.pollMs);
    this.#log = options.logger.child({ component: 'timer-firer' });
  }

  get state(): ComponentState {
    return this.#state;
  }

  /** The last claim query succeeded (readiness). */
  get databaseOk(): boolean {
    return this.#databaseOk;
  }

  get heldCount(): number {
    return this.#held.size;
  }

  start(): void {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    this.wake();
  }

  /** Polls now (e.g. a just-consumed timer is due within the lookahead) instead of on the next tick. */
  wake(): void {
    if (this.#state !== 'running') return;
    if (this.#polling !== undefined) {
      this.#pollAgain = true;
      return;
    }
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
      this.#afterPoll();
    });
  }

  /** Tells the firer that timers were inserted; wakes it when one is due within the lookahead. */
  notifyInserted(dueTimes: readonly Date[]): void {
    const horizon = Date.now() + this.#o.lookaheadMs;
    if (dueTimes.some((due) => due.getTime() <= horizon)) {
      this.#backoff.reset();
      this.wake();
    }
  }

  /** Stops polling and firing, waits for the round in flight, and hands every held claim back. */
  async close(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'draining') return;
    this.#state = 'draining';
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#fireTimer);
    await this.#polling;
    await this.#firing;
    await this.#completePending();
    const ids = [...this.#held.keys()];
    this.#held.clear();
    this.#heap.clear();
    this.#o.metrics.held.set(0);
    if (ids.length > 0) {
      try {
        await releaseTimers(this.#o.knex, ids, this.#o.owner);
        this.#log.info({ released: ids.length }, 'released held timers');
      } catch (err) {
        // Their claims lapse after the lease; another instance fires them then.
        this.#log.warn({ err, held: ids.length }, 'could not release held timers');
      }
    }
    this.#state = 'stopped';
  }

  #afterPoll(): void {
    if (this.#state !== 'running') return;
    if (this.#pollAgain) {
      this.#pollAgain = false;
      this.wake();
      return;
    }
    // A full claim with nothing overdue (all near-term): claim on at once. With overdue timers held,
    // the fire round polls again when it is out, so memory holds about one batch of overdue work.
    const top = this.#peek();
    if (this.#backlog && (top === undefined || top.fireAt > Date.now())) {
      this.wake();
      return;
    }
    this.#pollTimer = setTimeout(() => this.wake(), this.#backoff.after(this.#claimedAny));
  }

  async #poll(): Promise<void> {
    await this.#completePending();
    this.#pruneFailures();
    const room = this.#o.maxHeld - this.#held.size;
    if (room <= 0) return;
    const limit = Math.min(this.#o.batchSize, room);
    let claimed: TimerRecord[];
    try {
      claimed = await claimDueTimers(this.#o.knex, {
        owner: this.#o.owner,
        dueBefore: new Date(Date.now() + this.#o.lookaheadMs),
        limit,
        claimMs: this.#o.claimMs,
      });
      this.#databaseOk = true;
    } catch (err) {
      this.#databaseOk = false;
      this.#claimedAny = true;
      this.#log.warn({ err }, 'claiming due timers failed');
      return;
    }
    this.#claimedAny = claimed.length > 0;
    this.#backlog = claimed.length >= limit;
    for (const timer of claimed) {
      // Only when a claim of ours lapsed (held far too long) could the same timer come back; hold it once.
      if (this.#held.has(timer.id)) continue;
      // A timer this instance failed to produce waits out its backoff even when claimed again.
      const fireAt = Math.max(timer.due_at.getTime(), this.#failures.get(timer.id)?.retryAt ?? 0);
      this.#held.set(timer.id, { timer, fireAt });
      this.#heap.push({ id: timer.id, fireAt });
    }
    this.#o.metrics.held.set(this.#held.size);
    if (claimed.length > 0) this.#log.debug({ claimed: claimed.length }, 'claimed timers');
    this.#armFireTimer();
  }

  /** The earliest live heap entry (entries of timers no longer held, or re-queued, are dropped). */
  #peek(): { id: string; fireAt: number } | undefined {
    for (;;) {
      const top = this.#heap.peek();
      if (top === undefined) return undefined;
      const held = this.#held.get(top.id);
      if (held !== undefined && held.fireAt === top.fireAt) return top;
      this.#heap.pop();
    }
  }

  #armFireTimer(): void {
    if (this.#state !== 'running') return;
    // A round in flight re-arms when it is out.
    if (this.#firing !== undefined) return;
    const top = this.#peek();
    if (top === undefined) return;
    // Keep an earlier wake-up that is already set; only move it when this one is sooner.
    if (this.#fireTimer !== undefined && this.#fireTimerAt <= top.fireAt) return;
    clearTimeout(this.#fireTimer);
    this.#fireTimerAt = top.fireAt;
    this.#fireTimer = setTimeout(() => this.#onFireTimer(), Math.max(0, top.fireAt - Date.now()));
  }

  #onFireTimer(): void {
    this.#fireTimer = undefined;
    this.#fireTimerAt = Infinity;
    if (this.#state !== 'running' || this.#firing !== undefined) return;
    this.#firing = this.#fireDue().finally(() => {
      this.#firing = undefined;
      this.#armFireTimer();
      if (this.#backlog) this.wake();
    });
  }

  /** Produces every held timer whose time has come, in rounds of at most batchSize. */
  async #fireDue(): Promise<void> {
    while (this.#state === 'running') {
      const now = Date.now();
      const batch: TimerRecord[] = [];
      while (batch.length < this.#o.batchSize) {
        const top = this.#peek();
        // setTimeout may wake a hair before the wall clock reaches the due time: never fire early.
        if (top === undefined || top.fireAt > now) break;
        this.#heap.pop();
        batch.push(this.#held.get(top.id)!.timer);
      }
      if (batch.length === 0) return;
      await this.#fireBatch(batch);
    }
  }

  async #fireBatch(batch: readonly TimerRecord[]): Promise<void> {
    const { sent, failed } = await this.#o.produce(batch);
    const firedAt = Date.now();
    for (const timer of sent) {
      this.#held.delete(timer.id);
      this.#failures.delete(timer.id);
      this.#o.metrics.fired.inc({ kind: timer.kind });
      this.#o.metrics.fireLagSeconds.observe({ kind: timer.kind }, Math.max(0, firedAt - timer.due_at.getTime()) / 1000);
      this.#toComplete.add(timer.id);
    }
    await this.#completePending();
    if (failed.length > 0) {
      const ids: string[] = [];
      for (const { timer } of failed) {
        this.#held.delete(timer.id);
        const failure = this.#failures.get(timer.id) ?? { count: 0, retryAt: 0 };
        failure.count += 1;
        failure.retryAt = firedAt + Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.min(failure.count - 1, 30));
        this.#failures.set(timer.id, failure);
        this.#o.metrics.fireFailures.inc({ kind: timer.kind });
        ids.push(timer.id);
      }
      this.#log.warn(
        { err: failed[0]?.err, timers: failed.length, topics: [...new Set(failed.map((f) => f.timer.target_topic))] },
        'producing timers failed: released for retry',
      );
      try {
        await releaseTimers(this.#o.knex, ids, this.#o.owner);
      } catch (err) {
        this.#log.warn({ err, timers: ids.length }, 'releasing failed timers failed: they return after the claim lease');
      }
    }
    this.#o.metrics.held.set(this.#held.size);
  }

  async #completePending(): Promise<void> {
    if (this.#toComplete.size === 0) return;
    const ids = [...this.#toComplete];
    try {
      await completeTimers(this.#o.knex, ids, this.#o.owner);
      for (const id of ids) this.#toComplete.delete(id);
    } catch (err) {
      // Kept claimed: retried on the next poll; if the lease lapses first the timer fires again (never lost).
      this.#log.warn({ err, timers: ids.length }, 'deleting fired timers failed: retrying');
    }
  }

  /** Backoff entries of timers that another instance fired meanwhile would otherwise stay forever. */
  #pruneFailures(): void {
    const cutoff = Date.now() - 2 * this.#o.claimMs;
    for (const [id, failure] of this.#failures) if (failure.retryAt < cutoff) this.#failures.delete(id);
  }
}
