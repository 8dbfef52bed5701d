// Repeat chains: one row per (repeat event, processor). The dispatcher writes the next occurrence's due
// time as it schedules it; a consumer's 30000 or DELETE /v1/events/:id/schedule sets cancelled_at, and
// the dispatcher checks it before delivering an occurrence (the next occurrence's ScheduleItem may still
// be in flight on eventyard.schedule when the chain is cancelled, so deleting timers alone is not enough).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE repeat_chains (
      event_id          bigint      NOT NULL,
      dispatcher_id     text        NOT NULL,
      next_repeat_times integer     NULL,
      next_due_at       timestamptz NULL,
      cancelled_at      timestamptz NULL,
      cancel_reason     text        NULL,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (event_id, dispatcher_id)
    );
    COMMENT ON COLUMN repeat_chains.next_due_at IS 'due time of the next scheduled occurrence; NULL once the chain ended or was cancelled';
    COMMENT ON COLUMN repeat_chains.cancel_reason IS 'consumer (ret.code 30000) | admin (DELETE /v1/events/:id/schedule)';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE repeat_chains');
}
