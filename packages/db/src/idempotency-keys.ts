// Report's `option.idempotent {key, idempotent_time}`, claimed in two phases so that nobody is told OK
// for an event that was never written:
//   1. claim: the first Report of a key holds it `in_progress` for a short claim TTL (about the publish
//      timeout) while it publishes; one INSERT ... ON CONFLICT decides the winner among concurrent
//      Reports and producer instances;
//   2. complete: once the broker acknowledged the record, the key is `done` with that event id for the
//      rest of the window (idempotent_time from the claim); or release: a failed publish gives it back.
// A claim whose holder died (crash between claim and acknowledgement) expires after its claim TTL and
// the next Report of the key takes it over; so does a done key at the end of its window.
import type { Knex } from 'knex';

export interface IdempotencyKeyRef {
  app_id: string;
  topic_id: string;
  key: string;
  /** The event id of the Report that claims (or claimed) the key. */
  event_id: string;
}

export interface IdempotencyClaim extends IdempotencyKeyRef {
  /** The window (idempotent_time), ms, from the claim. */
  ttlMs: number;
  /** How long the claim stays in progress without completing before another Report may take it over, ms. */
  claimTtlMs: number;
}

export type IdempotencyResult =
  /** This Report holds the key: publish, then completeIdempotencyKey or releaseIdempotencyKey. */
  | { status: 'claimed'; event_id: string }
  /** The key's event was written: answer with its event id, publish nothing. */
  | { status: 'done'; event_id: string }
  /** Another Report is publishing the key's event right now (its event id, not yet written). */
  | { status: 'in_progress'; event_id: string };

export async function claimIdempotencyKey(knex: Knex, claim: IdempotencyClaim): Promise<IdempotencyResult> {
  for (;;) {
    // An expired row (a done key past its window, or an in-progress claim past its claim TTL) is taken
    // over in place, so the window restarts with the new event.
    const inserted = await knex.raw<{ rows: Array<{ event_id: string }> }>(
      `INSERT INTO idempotency_keys (app_id, topic_id, key, event_id, status, window_ms, expires_at)
       VALUES (?, ?, ?, ?, 'in_progress', ?, now() + ? * interval '1 millisecond')
       ON CONFLICT (app_id, topic_id, key) DO UPDATE
         SET event_id = EXCLUDED.event_id, status = EXCLUDED.status, window_ms = EXCLUDED.window_ms,
             expires_at = EXCLUDED.expires_at, created_at = now()
         WHERE idempotency_keys.expires_at <= now()
       RETURNING event_id`,
      [claim.app_id, claim.topic_id, claim.key, claim.event_id, claim.ttlMs, claim.claimTtlMs],
    );
    if (inserted.rows[0] !== undefined) return { status: 'claimed', event_id: claim.event_id };
    const existing = (await knex('idempotency_keys')
      .where({ app_id: claim.app_id, topic_id: claim.topic_id, key: claim.key })
      .andWhere('expires_at', '>', knex.fn.now())
      .first('event_id', 'status')) as { event_id: string; status: 'in_progress' | 'done' } | undefined;
    if (existing !== undefined) return { status: existing.status, event_id: existing.event_id };
    // The holder's window or claim ended (or it was released) between the two statements: claim again.
  }
}

/**
 * Marks the claim of `event_id` done once its record was acknowledged: the key answers with that event
 * id until the end of its window. False when the claim is no longer this Report's (it expired and was
 * taken over, or was pruned): the event was written all the same.
 */
export async function completeIdempotencyKey(knex: Knex, ref: IdempotencyKeyRef): Promise<boolean> {
  const updated = await knex('idempotency_keys')
    .where({ app_id: ref.app_id, topic_id: ref.topic_id, key: ref.key, event_id: ref.event_id, status: 'in_progress' })
    .update({ status: 'done', expires_at: knex.raw("created_at + window_ms * interval '1 millisecond'") });
  return updated > 0;
}

/**
 * Gives a key back when the Report that claimed it failed to publish, so a retry of the same Report can
 * publish. Only the in-progress claim of `event_id` is removed.
 */
export async function releaseIdempotencyKey(knex: Knex, ref: IdempotencyKeyRef): Promise<boolean> {
  const deleted = await knex('idempotency_keys')
    .where({ app_id: ref.app_id, topic_id: ref.topic_id, key: ref.key, event_id: ref.event_id, status: 'in_progress' })
    .delete();
  return deleted > 0;
}
