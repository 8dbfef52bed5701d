// Replay jobs: a bulk replay by query (POST /v1/replay) or a dead-letter redrive, worked through by the
// admin service's job runner in event_id order. The row is the job's durable state: the query, the
// cursor (last event_id done) and the counts are stored after each batch, so a restarted admin resumes
// where the last one stopped; the lease (owner + expiry) keeps two admin instances off the same job.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE replay_jobs (
      replay_id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
      kind             text        NOT NULL CHECK (kind IN ('query', 'redrive')),
      query            jsonb       NOT NULL,
      original_targets boolean     NOT NULL DEFAULT false,
      rate_per_s       integer     NOT NULL CHECK (rate_per_s >= 1),
      max_event_id     bigint      NULL,
      status           text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
      matched          bigint      NOT NULL DEFAULT 0,
      replayed         bigint      NOT NULL DEFAULT 0,
      skipped          bigint      NOT NULL DEFAULT 0,
      failed           bigint      NOT NULL DEFAULT 0,
      cursor           bigint      NULL,
      lease_owner      text        NULL,
      lease_expires_at timestamptz NULL,
      error            text        NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now(),
      finished_at      timestamptz NULL
    );
    COMMENT ON COLUMN replay_jobs.query IS 'the normalised query: app_id, topic_id, dispatcher_id, status, delivery_status, since, until, event_ids';
    COMMENT ON COLUMN replay_jobs.max_event_id IS 'largest event_id of the matched set when the job was created: events reported later never join it';
    COMMENT ON COLUMN replay_jobs.cursor IS 'last event_id done (keyset); NULL before the first batch';
    COMMENT ON COLUMN replay_jobs.replayed IS 'events that got at least one delivery task';
    COMMENT ON COLUMN replay_jobs.skipped IS 'events that matched the query but no processor (all stopped, filtered out, unsubscribed)';
    COMMENT ON COLUMN replay_jobs.failed IS 'events that could not be replayed (payload pruned by retention)';
    -- The runner claims the oldest running job whose lease is free.
    CREATE INDEX replay_jobs_running ON replay_jobs (created_at) WHERE status = 'running';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE replay_jobs');
}
