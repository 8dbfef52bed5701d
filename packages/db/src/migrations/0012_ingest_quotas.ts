// Ingest without a fail-open mode, and quotas that need counts (issue #15).
// - producers.anonymous: an operator's grant of Reports without an API key for one (app_id, topic_id),
//   replacing the producer's former EY_REQUIRE_API_KEY=auto (anonymous whenever no key existed at all).
//   false for every existing row: nothing becomes anonymous by upgrading.
// - The producer counts pending timers per app (EY_MAX_PENDING_TIMERS_PER_APP) from the `ey-app-id`
//   header its delayed records carry (schedules.headers) and open transactions per app
//   (EY_MAX_OPEN_TRANSACTIONS_PER_APP): both counts must stay index-only-cheap, hence the partial
//   indexes. CREATE INDEX (not CONCURRENTLY, which cannot run inside the migration's transaction) holds a
//   write lock on the table while it builds; on a large schedules table run this migration off-peak.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE producers ADD COLUMN anonymous boolean NOT NULL DEFAULT false;
    COMMENT ON COLUMN producers.anonymous IS 'Reports for this (app_id, topic_id) are accepted without an API key even with EY_REQUIRE_API_KEY=true';
    CREATE INDEX schedules_app_id ON schedules ((headers->>'ey-app-id'));
    CREATE INDEX transactions_open_app ON transactions (app_id) WHERE status = 'prepare';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX transactions_open_app;
    DROP INDEX schedules_app_id;
    ALTER TABLE producers DROP COLUMN anonymous;
  `);
}
