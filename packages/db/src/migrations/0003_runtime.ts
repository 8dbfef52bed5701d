// Runtime state the services coordinate through: transactional half-events and their outbox, durable
// timers, idempotency keys, and the node-id leases that keep event ids unique across instances.
import type { Knex } from 'knex';

/** Node ids are 10 bits in an event id (packages/core/src/ids.ts). */
const NODE_ID_COUNT = 1024;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE transactions (
      event_id             bigint      PRIMARY KEY,
      app_id               text        NOT NULL,
      topic_id             text        NOT NULL,
      status               text        NOT NULL DEFAULT 'prepare'
                                       CHECK (status IN ('prepare', 'commit', 'rollback', 'expired')),
      event                bytea       NOT NULL,
      trigger              jsonb       NULL,
      callback             jsonb       NULL,
      callback_interval_ms integer     NOT NULL CHECK (callback_interval_ms >= 0),
      check_attempts       integer     NOT NULL DEFAULT 0,
      next_check_at        timestamptz NULL,
      last_check_error     text        NULL,
      created_at           timestamptz NOT NULL DEFAULT now(),
      updated_at           timestamptz NOT NULL DEFAULT now(),
      resolved_at          timestamptz NULL
    );
    COMMENT ON COLUMN transactions.event IS 'the half-event (evhub_comm.Event, protobuf) stored at Prepare';
    COMMENT ON COLUMN transactions.callback IS 'check-back endpoint {protocol_type, address, timeout_ms}';
    CREATE INDEX transactions_next_check ON transactions (next_check_at) WHERE status = 'prepare';
    CREATE INDEX transactions_resolved ON transactions (resolved_at) WHERE status <> 'prepare';

    -- Written in the same transaction as the state change it publishes (commit of a half-event, ...);
    -- a relay produces each row to Kafka and then marks it published, so a crash only re-publishes.
    CREATE TABLE outbox (
      id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic        text        NOT NULL,
      message_key  bytea       NULL,
      value        bytea       NOT NULL,
      headers      jsonb       NOT NULL DEFAULT '{}',
      event_id     bigint      NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NULL
    );
    CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
    CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

    CREATE TABLE schedules (
      id            text        PRIMARY KEY,
      kind          text        NOT NULL,
      due_at        timestamptz NOT NULL,
      target_topic  text        NOT NULL,
      message_key   bytea       NULL,
      value         bytea       NOT NULL,
      headers       jsonb       NOT NULL DEFAULT '{}',
      event_id      bigint      NULL,
      dispatcher_id text        NULL,
      attempts      integer     NOT NULL DEFAULT 0,
      claimed_by    text        NULL,
      claimed_until timestamptz NULL,
      created_at    timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON COLUMN schedules.id IS 'deterministic timer id, so a schedule message consumed twice inserts once';
    COMMENT ON COLUMN schedules.kind IS 'delay | delay_process | repeat | retry | tx_check | ...';
    CREATE INDEX schedules_due ON schedules (due_at);
    CREATE INDEX schedules_due_unclaimed ON schedules (due_at) WHERE claimed_by IS NULL;
    CREATE INDEX schedules_event ON schedules (event_id) WHERE event_id IS NOT NULL;

    CREATE TABLE idempotency_keys (
      app_id     text        NOT NULL,
      topic_id   text        NOT NULL,
      key        text        NOT NULL,
      event_id   bigint      NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (app_id, topic_id, key)
    );
    CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

    CREATE TABLE node_id_leases (
      node_id     integer     PRIMARY KEY CHECK (node_id BETWEEN 0 AND ${NODE_ID_COUNT - 1}),
      owner       text        NULL,
      token       uuid        NULL,
      acquired_at timestamptz NULL,
      expires_at  timestamptz NOT NULL DEFAULT '-infinity'
    );
    -- Every id has a row from the start, so claiming one is a single UPDATE ... SKIP LOCKED.
    INSERT INTO node_id_leases (node_id) SELECT generate_series(0, ${NODE_ID_COUNT - 1});
    CREATE INDEX node_id_leases_expires ON node_id_leases (expires_at, node_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE node_id_leases;
    DROP TABLE idempotency_keys;
    DROP TABLE schedules;
    DROP TABLE outbox;
    DROP TABLE transactions;
  `);
}
