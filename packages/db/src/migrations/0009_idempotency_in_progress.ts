// Idempotency keys learn "in progress": 0003 had one state, so a key claimed before the Kafka publish
// looked done at once, and a duplicate arriving while the publish was in flight (or after the claimer
// crashed before the broker's acknowledgement) was answered OK with an event id that was never written.
// A claim is now `in_progress` until the broker acknowledged it, with `expires_at` = the claim's expiry
// (about the publish timeout, so a retry after a crash can take it over), then `done` with `expires_at` =
// the end of the idempotency window (`created_at` + `window_ms`). Existing rows were claimed by code that
// could not tell the two apart: they stay what that code took them for, done. Adding a column with a
// constant default rewrites no table; dropping the default afterwards keeps that value for existing rows
// and makes every new claim say its status.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE idempotency_keys
      ADD COLUMN status text NOT NULL DEFAULT 'done' CHECK (status IN ('in_progress', 'done')),
      ADD COLUMN window_ms bigint NULL,
      ADD CONSTRAINT idempotency_keys_in_progress_window CHECK (status = 'done' OR window_ms IS NOT NULL);
    ALTER TABLE idempotency_keys ALTER COLUMN status DROP DEFAULT;
    COMMENT ON COLUMN idempotency_keys.status IS 'in_progress: claimed, publish not yet acknowledged (expires_at = claim expiry); done: event_id was written (expires_at = end of the window)';
    COMMENT ON COLUMN idempotency_keys.window_ms IS 'idempotent_time of the claim, ms: the window a done key keeps from created_at';
  `);
}

export async function down(knex: Knex): Promise<void> {
  // The old table would read an in-progress claim as done and answer its duplicates OK with an event id
  // that may never have been written; without the row a duplicate publishes again (at-least-once).
  await knex.raw(`
    DELETE FROM idempotency_keys WHERE status = 'in_progress';
    ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_in_progress_window, DROP COLUMN window_ms, DROP COLUMN status;
  `);
}
