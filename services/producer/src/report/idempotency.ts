// The producer's side of the two-phase idempotency key (packages/db/src/idempotency-keys.ts): claim the
// key before publishing, and what a Report does when another one holds it in progress.
//
// A duplicate that finds the key in progress waits (bounded by the publish timeout) instead of failing at
// once: the holder normally finishes within its publish timeout, and then the duplicate answers the
// holder's event id, which is written by then, exactly like a later duplicate (so a burst of concurrent
// retries of one Report all get ret.code 0 and one event id, as before). If the holder's publish fails
// and it releases the key, or the holder died and its claim expired, the waiting duplicate claims the key
// itself and publishes. Only a holder still in flight after the whole wait gets the duplicate a retryable
// EY_IDEMPOTENCY_IN_PROGRESS (EvHub 20005, gRPC UNAVAILABLE / HTTP 503, as for a producer that cannot take
// Reports right now) rather than an OK with an event id that may never be written.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventyardError } from '@eventyard/core';
import { claimIdempotencyKey, type IdempotencyKeyRef, type Knex } from '@eventyard/db';
import { ProducerErrors } from '../error-codes.ts';

/**
 * Added to the publish timeout for the claim's expiry: the claim's clock (Postgres now()) starts before
 * the producer's publish timer, and completing the key takes a round trip after the acknowledgement; a
 * claim must not expire under a holder that is still within its publish timeout.
 */
export const CLAIM_GRACE_MS = 1000;

/** First and longest pause between looks at a key held in progress. */
const POLL_MIN_MS = 10;
const POLL_MAX_MS = 200;

export interface IdempotencyWaitOptions {
  /** How long a claim stays in progress before another Report may take it over (publish timeout + grace). */
  claimTtlMs: number;
  /** How long a duplicate waits for an in-progress holder before answering EY_IDEMPOTENCY_IN_PROGRESS. */
  waitMs: number;
}

export type ClaimOutcome = { status: 'claimed'; event_id: string } | { status: 'done'; event_id: string };

/**
 * Claims `ref.key` for `ref.event_id` ('claimed': publish, then complete or release), or answers the
 * event id it was written with ('done'). Throws EY_IDEMPOTENCY_IN_PROGRESS after waiting `waitMs` for a
 * holder that is still publishing.
 */
export async function claimOrWait(knex: Knex, ref: IdempotencyKeyRef, windowMs: number, options: IdempotencyWaitOptions): Promise<ClaimOutcome> {
  const deadline = performance.now() + options.waitMs;
  let pause = POLL_MIN_MS;
  for (;;) {
    const result = await claimIdempotencyKey(knex, { ...ref, ttlMs: windowMs, claimTtlMs: options.claimTtlMs });
    if (result.status !== 'in_progress') return result;
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new EventyardError(
        ProducerErrors.EY_IDEMPOTENCY_IN_PROGRESS,
        `idempotency key "${ref.key}" of ${ref.app_id}/${ref.topic_id} is being published by event_id ${result.event_id}, not yet acknowledged; retry this Report`,
        { context: { holder_event_id: result.event_id } },
      );
    }
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, POLL_MAX_MS);
  }
}
