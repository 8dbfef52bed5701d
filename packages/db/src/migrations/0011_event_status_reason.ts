// An event that no stage can process (a field Postgres cannot store, a record too large for Kafka, a
// record another client wrote straight to a topic) is recorded with status `rejected` and the reason
// here, so `GET /v1/events/:id` answers for it instead of 404. Numbered 0010: 0009 is another change's;
// adding a nullable column rewrites no table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE events ADD COLUMN status_reason text NULL;
    COMMENT ON COLUMN events.status_reason IS 'why the event has its status, for rejected: what a stage refused (its record is on eventyard.dead)';
    COMMENT ON COLUMN events.status IS 'routed | filtered | no_subscribers | scheduled | cancelled | rejected | ...';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE events DROP COLUMN status_reason;
    COMMENT ON COLUMN events.status IS 'routed | filtered | no_subscribers | scheduled | cancelled | ...';
  `);
}
