// `processors.is_retry` learns "not set". 0001 made it NOT NULL DEFAULT false, so an explicit
// `is_retry: false` (one attempt, whatever retry_strategy says) could not be told from a config that
// never mentioned the flag, and the dispatcher had to ignore false to keep EvHub's behaviour for the
// latter. Existing false rows are exactly that ambiguity: they become NULL, which keeps how they were
// dispatched (retries per retry_strategy). Rewrites no table: dropping NOT NULL and a default is
// catalogue-only, and the UPDATE touches only rows that stored false.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE processors ALTER COLUMN is_retry DROP NOT NULL, ALTER COLUMN is_retry DROP DEFAULT;
    UPDATE processors SET is_retry = NULL WHERE is_retry = false;
    COMMENT ON COLUMN processors.is_retry IS 'false = one attempt whatever retry_strategy says; NULL = not set (retries follow retry_strategy, as in EvHub)';
  `);
}

export async function down(knex: Knex): Promise<void> {
  // An explicit false cannot survive the old column: it would read as "not set" again.
  await knex.raw(`
    COMMENT ON COLUMN processors.is_retry IS NULL;
    UPDATE processors SET is_retry = false WHERE is_retry IS NULL;
    ALTER TABLE processors ALTER COLUMN is_retry SET DEFAULT false, ALTER COLUMN is_retry SET NOT NULL;
  `);
}
