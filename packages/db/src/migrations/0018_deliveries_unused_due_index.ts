// deliveries carries eleven indexes, and the router's insert plus the dispatcher's status update of
// every delivery maintains all of them (no status update can be a HOT update: status and updated_at are
// indexed for the query API). deliveries_due (next_attempt_at, partial on pending/scheduled/delivering)
// is read by no query: retry timers live in `schedules`, and EXPLAIN of every history query on 1M
// deliveries (bench/query/explain.ts) uses the other ten (or, for (dispatcher_id, id) and
// (app_id, topic_id, id), needs them for a rare processor or app), so it is the one dropped. A fillfactor
// below 100 would buy nothing while every update changes an indexed column.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS deliveries_due');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'scheduled', 'delivering')`);
}
