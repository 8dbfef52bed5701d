// Delivery history: every event, its outcome per processor, and every attempt. Kept for a retention
// period and then deleted in batches by pruneHistory (see README: pruning, not partitioning). No
// foreign keys between these tables: router and dispatcher write them independently and in batches,
// and a delivery update must never fail because the event row's batch has not committed yet.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE events (
      event_id          bigint      PRIMARY KEY CHECK (event_id > 0),
      app_id            text        NOT NULL,
      topic_id          text        NOT NULL,
      trigger_type      smallint    NOT NULL DEFAULT 1,
      trigger           jsonb       NULL,
      status            text        NOT NULL,
      source            text        NOT NULL DEFAULT 'report',
      event_comm        jsonb       NULL,
      payload           bytea       NULL,
      payload_size      integer     NOT NULL DEFAULT 0,
      payload_pruned_at timestamptz NULL,
      ordering_key      text        NULL,
      idempotency_key   text        NULL,
      broadcast         boolean     NOT NULL DEFAULT false,
      api_key_id        text        NULL,
      next_due_at       timestamptz NULL,
      created_at        timestamptz NOT NULL DEFAULT now(),
      recorded_at       timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON COLUMN events.event_id IS 'time-sortable 64-bit id (ms | node id | sequence), rendered as decimal in the API';
    COMMENT ON COLUMN events.status IS 'routed | filtered | no_subscribers | scheduled | cancelled | ...';
    COMMENT ON COLUMN events.payload IS 'Event.data as reported; NULL once payload retention expired (payload_pruned_at set)';
    COMMENT ON COLUMN events.created_at IS 'when Report accepted the event';
    -- Lists page by event_id (keyset): ids are time-sortable and unique, so the order is the report
    -- order and a cursor is just the last id, stable while new events arrive.
    CREATE INDEX events_app_topic_id ON events (app_id, topic_id, event_id);
    CREATE INDEX events_status_id ON events (status, event_id);
    CREATE INDEX events_created ON events (created_at);

    CREATE TABLE deliveries (
      id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id        bigint      NOT NULL,
      dispatcher_id   text        NOT NULL,
      app_id          text        NOT NULL,
      topic_id        text        NOT NULL,
      status          text        NOT NULL CHECK (status IN
                        ('pending', 'scheduled', 'delivering', 'succeeded', 'failed', 'dead', 'filtered', 'cancelled')),
      attempt_count   integer     NOT NULL DEFAULT 0,
      retry_times     integer     NOT NULL DEFAULT 0,
      repeat_times    integer     NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NULL,
      last_error_code text        NULL,
      last_error      text        NULL,
      pass_back       bytea       NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      finished_at     timestamptz NULL,
      UNIQUE (event_id, dispatcher_id)
    );
    -- Lists page by id (keyset; identity order = creation order), filtered by processor and status.
    CREATE INDEX deliveries_dispatcher_status_id ON deliveries (dispatcher_id, status, id);
    CREATE INDEX deliveries_dispatcher_id ON deliveries (dispatcher_id, id);
    CREATE INDEX deliveries_status_id ON deliveries (status, id);
    CREATE INDEX deliveries_app_topic_id ON deliveries (app_id, topic_id, id);
    CREATE INDEX deliveries_dispatcher_updated ON deliveries (dispatcher_id, updated_at);
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
      WHERE status IN ('pending', 'scheduled', 'delivering');

    CREATE TABLE delivery_attempts (
      id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id      bigint      NOT NULL,
      event_id         bigint      NOT NULL,
      dispatcher_id    text        NOT NULL,
      attempt_no       integer     NOT NULL CHECK (attempt_no >= 1),
      trigger          text        NOT NULL DEFAULT 'auto' CHECK (trigger IN ('auto', 'manual')),
      retry_times      integer     NOT NULL DEFAULT 0,
      repeat_times     integer     NOT NULL DEFAULT 0,
      started_at       timestamptz NOT NULL DEFAULT now(),
      finished_at      timestamptz NULL,
      latency_ms       integer     NULL,
      outcome          text        NOT NULL,
      error_code       text        NULL,
      error_message    text        NULL,
      response_status  integer     NULL,
      ret_code         integer     NULL,
      response_excerpt text        NULL,
      UNIQUE (delivery_id, attempt_no)
    );
    COMMENT ON COLUMN delivery_attempts.attempt_no IS '1-based, per delivery, across retries, repeats and manual replays';
    COMMENT ON COLUMN delivery_attempts.outcome IS 'in_flight | succeeded | failed | timeout | cancelled';
    COMMENT ON COLUMN delivery_attempts.response_status IS 'HTTP status, or gRPC status code for grpcSend';
    COMMENT ON COLUMN delivery_attempts.ret_code IS 'EvHub ret.code the consumer answered';
    CREATE INDEX delivery_attempts_event ON delivery_attempts (event_id);
    CREATE INDEX delivery_attempts_dispatcher_started ON delivery_attempts (dispatcher_id, started_at);
    CREATE INDEX delivery_attempts_trigger_started ON delivery_attempts (trigger, started_at) WHERE trigger = 'manual';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE delivery_attempts;
    DROP TABLE deliveries;
    DROP TABLE events;
  `);
}
