// The bounds a Report's trigger must stay within, and the per-app counts a Report or Prepare must not
// push past. The trigger bounds (EY_MAX_DELAY_MS, EY_REPEAT_MIN_INTERVAL_MS, EY_REPEAT_MAX_OCCURRENCES,
// EY_REPEAT_MAX_HORIZON_MS) are checked on the Report alone: a refusal is 10000, like any invalid field.
// The counts (EY_MAX_PENDING_TIMERS_PER_APP over schedules, EY_MAX_OPEN_TRANSACTIONS_PER_APP over
// transactions) are indexed counts in Postgres, reused for EY_QUOTA_COUNT_CACHE_MS and bumped locally
// for every accepted Report meanwhile, so a burst inside the cache window cannot run far past a limit.
// The timers are counted by their `ey-app-id` header, set by the producer (delay), the router (a repeat's
// first occurrence, delay-process entries) and the dispatcher (a repeat's later occurrences); retries
// are the system's own timers and are not counted.
import { occurrenceMs, repeatPlanOf, type Logger } from '@eventyard/core';
import { countOpenTransactionsForApp, countPendingTimersForApp, type Knex } from '@eventyard/db';
import { durationMs, type ValidReport } from '@eventyard/evhub';
import { EventTriggerType } from '@eventyard/proto';
import type { QuotaLimits } from '../config.ts';
import { overLimit, QUOTA_EXCEEDED, slowDown } from './refusals.ts';

/** Apps whose counts are cached at once; past it the cache starts over (the counts are re-read). */
const MAX_CACHED_APPS = 10_000;
/** Crontab gaps sampled to estimate a cron repeat's interval and horizon. */
const CRON_SAMPLES = 16;

type Counter = (knex: Knex, appId: string) => Promise<number>;

export class ReportLimits {
  readonly #limits: QuotaLimits;
  readonly #timers: CountCache;
  readonly #transactions: CountCache;

  constructor(options: { knex: Knex; limits: QuotaLimits; logger: Logger; now?: () => number }) {
    this.#limits = options.limits;
    const now = options.now ?? Date.now;
    this.#timers = new CountCache(options.knex, countPendingTimersForApp, options.limits.countCacheMs, now);
    this.#transactions = new CountCache(options.knex, countOpenTransactionsForApp, options.limits.countCacheMs, now);
  }

  /** Throws EY_LIMIT_EXCEEDED (10000) naming the first bound the trigger exceeds. */
  checkTrigger(valid: ValidReport, nowMs: number): void {
    const trigger = valid.request.trigger;
    if (trigger === null) return;
    const { maxDelayMs } = this.#limits;
    const maxDelay = { name: 'EY_MAX_DELAY_MS', value: maxDelayMs };
    switch (Number(trigger.trigger_type)) {
      case EventTriggerType.EVENT_TRIGGER_TYPE_DELAY:
        if (valid.delayMs > maxDelayMs) throw overLimit('trigger.delay_trigger.delay_time', `is ${valid.delayMs} ms`, maxDelay);
        return;
      case EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS:
        trigger.delay_process_trigger_list.forEach((entry, index) => {
          const field = `trigger.delay_process_trigger_list[${index}].delay_time`;
          const ms = entry.delay_time === null ? 0 : durationMs(entry.delay_time, field);
          if (ms > maxDelayMs) throw overLimit(field, `is ${ms} ms`, maxDelay);
        });
        return;
      case EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT:
        this.#checkRepeat(valid, nowMs);
        return;
      default:
        return;
    }
  }

  #checkRepeat(valid: ValidReport, nowMs: number): void {
    const repeat = valid.request.trigger?.repeat_trigger ?? null;
    if (repeat === null) return;
    const planned = repeatPlanOf(repeat, nowMs);
    if (!planned.ok) return; // validateReport already refused what cannot be planned
    const { plan } = planned;
    const { repeatMinIntervalMs, repeatMaxOccurrences, repeatMaxHorizonMs } = this.#limits;
    const field = 'trigger.repeat_trigger';
    const first = occurrenceMs(plan, 0);
    if (first === undefined) return; // no occurrence at all: nothing will fire
    // The interval: exact for an interval pulse, the shortest of the first gaps of a crontab.
    const gaps: number[] = [];
    if (plan.pulse.kind === 'interval') gaps.push(plan.pulse.intervalMs);
    else {
      let previous = first;
      for (let n = 1; n <= CRON_SAMPLES; n++) {
        const next = occurrenceMs({ ...plan, totalOccurrences: 0, endMs: undefined }, n);
        if (next === undefined) break;
        gaps.push(next - previous);
        previous = next;
      }
    }
    if (gaps.length === 0) return; // a crontab that fires once
    const shortest = Math.min(...gaps);
    const average = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    if (shortest < repeatMinIntervalMs) {
      const which = plan.pulse.kind === 'interval' ? `${field}.regular_pulser.interval` : `${field}.crontab_pulser.crontab`;
      throw overLimit(which, `fires every ${shortest} ms`, { name: 'EY_REPEAT_MIN_INTERVAL_MS', value: repeatMinIntervalMs });
    }
    // Occurrences and the last one's time, from the end the trigger gives (a count, an end time, or both).
    const byTime = plan.endMs === undefined ? Number.POSITIVE_INFINITY : Math.floor((plan.endMs - first) / average) + 1;
    const occurrences = Math.min(plan.totalOccurrences > 0 ? plan.totalOccurrences : Number.POSITIVE_INFINITY, byTime);
    if (repeatMaxOccurrences > 0 && occurrences > repeatMaxOccurrences) {
      const problem = Number.isFinite(occurrences) ? `makes ${occurrences} occurrences` : 'never ends (repeat_times 0 and no end_time)';
      throw overLimit(`${field}.repeat_end`, problem, { name: 'EY_REPEAT_MAX_OCCURRENCES', value: repeatMaxOccurrences });
    }
    const lastMs = Math.min(plan.endMs ?? Number.POSITIVE_INFINITY, first + (occurrences - 1) * average);
    if (repeatMaxHorizonMs > 0 && lastMs - nowMs > repeatMaxHorizonMs) {
      throw overLimit(`${field}.repeat_end`, `has its last occurrence ${Math.round(lastMs - nowMs)} ms from now`, {
        name: 'EY_REPEAT_MAX_HORIZON_MS',
        value: repeatMaxHorizonMs,
      });
    }
  }

  /** Whether the Report will leave a timer behind (and so counts against EY_MAX_PENDING_TIMERS_PER_APP). */
  makesTimers(valid: ValidReport): boolean {
    const trigger = valid.request.trigger;
    if (trigger === null) return false;
    const type = Number(trigger.trigger_type);
    return (
      type === EventTriggerType.EVENT_TRIGGER_TYPE_DELAY ||
      type === EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT ||
      (type === EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS && trigger.delay_process_trigger_list.length > 0)
    );
  }

  /** Throws EY_QUOTA_EXCEEDED when appId has EY_MAX_PENDING_TIMERS_PER_APP pending timers. */
  async checkPendingTimers(appId: string): Promise<void> {
    const max = this.#limits.maxPendingTimersPerApp;
    const count = await this.#timers.get(appId);
    if (count >= max)
      throw slowDown(
        QUOTA_EXCEEDED,
        `app_id "${appId}" has ${count} pending timers (delay, repeat, delay-process), at the limit EY_MAX_PENDING_TIMERS_PER_APP=${max}`,
        { name: 'EY_MAX_PENDING_TIMERS_PER_APP', value: max },
      );
  }

  /** Throws EY_QUOTA_EXCEEDED when appId has EY_MAX_OPEN_TRANSACTIONS_PER_APP transactions in PREPARE. */
  async checkOpenTransactions(appId: string): Promise<void> {
    const max = this.#limits.maxOpenTransactionsPerApp;
    const count = await this.#transactions.get(appId);
    if (count >= max)
      throw slowDown(QUOTA_EXCEEDED, `app_id "${appId}" has ${count} transactions in PREPARE, at the limit EY_MAX_OPEN_TRANSACTIONS_PER_APP=${max}`, {
        name: 'EY_MAX_OPEN_TRANSACTIONS_PER_APP',
        value: max,
      });
  }

  /** An accepted Report left a timer: counted until the cached count is re-read. */
  timerAdded(appId: string): void {
    this.#timers.bump(appId);
  }

  /** A Prepare stored a transaction: counted until the cached count is re-read. */
  transactionOpened(appId: string): void {
    this.#transactions.bump(appId);
  }
}

/** Per-app counts read from Postgres at most every `ttlMs`; concurrent readers of one app share a query. */
class CountCache {
  readonly #entries = new Map<string, { count: number; until: number } | Promise<number>>();
  readonly #knex: Knex;
  readonly #count: Counter;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(knex: Knex, count: Counter, ttlMs: number, now: () => number) {
    this.#knex = knex;
    this.#count = count;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  async get(appId: string): Promise<number> {
    const entry = this.#entries.get(appId);
    if (entry instanceof Promise) return entry;
    if (entry !== undefined && entry.until > this.#now()) return entry.count;
    if (this.#entries.size >= MAX_CACHED_APPS) this.#entries.clear();
    const reading = this.#count(this.#knex, appId).then(
      (count) => {
        this.#entries.set(appId, { count, until: this.#now() + this.#ttlMs });
        return count;
      },
      (err: unknown) => {
        this.#entries.delete(appId);
        throw err;
      },
    );
    this.#entries.set(appId, reading);
    return reading;
  }

  bump(appId: string): void {
    const entry = this.#entries.get(appId);
    if (entry !== undefined && !(entry instanceof Promise)) entry.count += 1;
  }
}
