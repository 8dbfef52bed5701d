// The W3C trace id of each event (the trace its Report started or continued), so an operator can go
// from `GET /v1/events/:id` to the trace in their tracing backend. Written by the router with the row;
// stored even when no exporter is configured (the id is then only in logs and the consumers' traces).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE events ADD COLUMN trace_id text NULL CONSTRAINT events_trace_id_hex CHECK (trace_id ~ '^[0-9a-f]{32}$');
    COMMENT ON COLUMN events.trace_id IS 'W3C trace id (32 lower-case hex digits) of the trace the event belongs to; NULL for events recorded before traces were kept';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE events DROP COLUMN trace_id');
}
