// The Report rate limit of a producer config (`qps`, per (app_id, topic_id)), shared by all producer
// instances: each instance allows qps / (live producers) per second from a local token bucket (one
// second of its share as burst). Live producers are the unexpired node-id leases of `producer@` owners,
// re-counted every EY_QPS_INSTANCES_REFRESH_MS. See docs/adr/0003-report-rate-limit-shares.md for why
// this and not a bucket in Postgres: no query per Report, and no Postgres dependency on the hot path.
// What it costs: the total is exact only when the Reports of an (app_id, topic_id) spread evenly over
// the instances (a Service's round robin does that; one long-lived gRPC connection pinned to one instance
// gets only that instance's share), and for up to a lease TTL after an instance dies the others keep
// the smaller share (under-admitting, never over).
import type { Logger } from '@eventyard/core';
import { countLiveNodeIdLeases, type Knex } from '@eventyard/db';
import { RATE_LIMITED, slowDown } from './refusals.ts';
import { targetKey, type ProducerSettings } from './producer-settings.ts';
import { BucketMap, TokenBucket } from './token-bucket.ts';

/** Lease owners of producer instances (app.ts's `producer@<host>:<pid>`). */
export const PRODUCER_LEASE_OWNER_PREFIX = 'producer@';
/** (app_id, topic_id) pairs with a bucket at once; the least recently used is dropped past it. */
const MAX_BUCKETS = 100_000;

export interface ReportRateOptions {
  knex: Knex;
  settings: Pick<ProducerSettings, 'qps'>;
  refreshMs: number;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
}

export class ReportRate {
  readonly #options: ReportRateOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #buckets = new BucketMap(MAX_BUCKETS);
  /** The (qps, instances) each bucket was shaped for, so a change reshapes it. */
  readonly #shapes = new Map<string, string>();
  #instances = 1;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ReportRateOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'report-rate' });
    this.#now = options.now ?? Date.now;
  }

  /** Live producers sharing every qps (at least this one). */
  get instances(): number {
    return this.#instances;
  }

  /** Counts the live producers now (call once this instance holds its lease), then every refreshMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#options.refreshMs);
    this.#timer.unref();
  }

  /** Re-counts the live producers; a failure keeps the last count (logged). */
  async refresh(): Promise<void> {
    try {
      const live = Math.max(1, await countLiveNodeIdLeases(this.#options.knex, PRODUCER_LEASE_OWNER_PREFIX));
      if (live !== this.#instances) this.#log.info({ instances: live }, 'producer instances sharing each qps changed');
      this.#instances = live;
    } catch (err) {
      this.#log.warn({ err, instances: this.#instances }, 'could not count live producers; keeping the last count for qps shares');
    }
  }

  /** Throws EY_RATE_LIMITED (with the wait) when this (app_id, topic_id) is over its share of `qps`. */
  take(appId: string, topicId: string): void {
    const qps = this.#options.settings.qps(appId, topicId);
    const key = targetKey(appId, topicId);
    if (qps <= 0) {
      this.#buckets.delete(key);
      this.#shapes.delete(key);
      return;
    }
    const now = this.#now();
    const instances = this.#instances;
    const share = qps / instances;
    // One second of the share as burst, and at least one Report, so a share below 1/s still lets one through.
    const capacity = Math.max(1, share);
    const shape = `${qps}/${instances}`;
    const bucket = this.#buckets.getOrCreate(key, () => new TokenBucket(share, capacity, now));
    if (this.#shapes.get(key) !== shape) {
      bucket.reshape(share, capacity, now);
      if (this.#shapes.size >= MAX_BUCKETS) this.#shapes.clear();
      this.#shapes.set(key, shape);
    }
    const wait = bucket.take(now);
    if (wait > 0) {
      throw slowDown(
        RATE_LIMITED,
        `${appId}/${topicId}: Report rate over qps=${qps} (producer config ${appId}/${topicId}; this producer's share is ${formatShare(share)}/s of ${instances} live producers); retry in ${wait} ms`,
        { name: 'qps', value: qps },
        wait,
      );
    }
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function formatShare(share: number): string {
  return Number.isInteger(share) ? String(share) : share.toFixed(2);
}
