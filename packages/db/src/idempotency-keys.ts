// Report's `option.idempotent {key, idempotent_time}`: the first Report of a key within its window claims
// it for its event_id; every later one (concurrent ones and other producer instances included) gets that
// first event_id back and publishes nothing. One INSERT ... ON CONFLICT decides the winner.
import type { Knex } from 'knex';

export interface IdempotencyClaim {
  app_id: string;
  topic_id: string;
  key: string;
  /** The event id this Report would get. */
  event_id: string;
  /** The window (idempotent_time), ms. */
  ttlMs: number;
}

export interface IdempotencyResult {
  /** The event id to answer with: this Report's when fresh, the first Report's otherwise. */
  event_id: string;
  /** True when this Report won the key and should publish. */
  fresh: boolean;
}

export async function claimIdempotencyKey(knex: Knex, claim: IdempotencyClaim): Promise<IdempotencyResult> {
  for (;;) {
    // An expired key is taken over in place, so the window restarts with the new event.
    const inserted = await knex.raw<{ rows: Array<{ event_id: string }> }>(
      `INSERT INTO idempotency_keys (app_id, topic_id, key, event_id, expires_at)
       VALUES (?, ?, ?, ?, now() + make_interval(secs => ? / 1000.0))
       ON CONFLICT (app_id, topic_id, key) DO UPDATE
         SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at, created_at = now()
         WHERE idempotency_keys.expires_at <= now()
       RETURNING event_id`,
      [claim.app_id, claim.topic_id, claim.key, claim.event_id, claim.ttlMs],
    );
    if (inserted.rows[0] !== undefined) return { event_id: claim.event_id, fresh: true };
    const existing = (await knex('idempotency_keys')
      .where({ app_id: claim.app_id, topic_id: claim.topic_id, key: claim.key })
      .andWhere('expires_at', '>', knex.fn.now())
      .first('event_id')) as { event_id: string } | undefined;
    if (existing !== undefined) return { event_id: existing.event_id, fresh: false };
    // The holder's window ended between the two statements: claim again.
  }
}

/**
 * Gives a key back when the Report that claimed it failed to publish, so a retry of the same Report can
 * publish. Only the claim of `event_id` is removed.
 */
export async function releaseIdempotencyKey(knex: Knex, claim: Omit<IdempotencyClaim, 'ttlMs'>): Promise<boolean> {
  const deleted = await knex('idempotency_keys').where({ app_id: claim.app_id, topic_id: claim.topic_id, key: claim.key, event_id: claim.event_id }).delete();
  return deleted > 0;
}
