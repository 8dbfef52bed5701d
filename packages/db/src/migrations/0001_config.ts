// Config objects (EvHub's producer and processor configs plus our extensions) and API keys, with a
// trigger that announces every change on the `eventyard_config` channel so running services reload
// without a restart. Column names follow EvHub's JSON field names; durations are milliseconds.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE producers (
      app_id                text        NOT NULL CHECK (app_id <> ''),
      topic_id              text        NOT NULL CHECK (topic_id <> ''),
      tx_protocol_type      integer     NOT NULL DEFAULT 0,
      tx_address            text        NOT NULL DEFAULT '',
      tx_timeout            integer     NOT NULL DEFAULT 0 CHECK (tx_timeout >= 0),
      tx_callback_interval  integer     NOT NULL DEFAULT 0 CHECK (tx_callback_interval >= 0),
      qps                   integer     NOT NULL DEFAULT 0 CHECK (qps >= 0),
      msg_size              integer     NOT NULL DEFAULT 0 CHECK (msg_size >= 0),
      total_msg             bigint      NOT NULL DEFAULT 0 CHECK (total_msg >= 0),
      storage_period        integer     NOT NULL DEFAULT 0 CHECK (storage_period >= 0),
      version               integer     NOT NULL DEFAULT 1,
      created_at            timestamptz NOT NULL DEFAULT now(),
      updated_at            timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app_id, topic_id)
    );
    COMMENT ON COLUMN producers.tx_timeout IS 'milliseconds; 0 = default (5000)';
    COMMENT ON COLUMN producers.tx_callback_interval IS 'milliseconds; 0 = default (120000)';
    COMMENT ON COLUMN producers.qps IS 'Report rate limit per second; 0 = unlimited';

    CREATE TABLE processors (
      -- 228 = Kafka's 249-character topic limit minus the prefix 'eventyard.deliveries.'
      dispatcher_id         text        PRIMARY KEY
                                        CHECK (dispatcher_id ~ '^[a-zA-Z0-9._-]{1,228}$' AND dispatcher_id NOT IN ('.', '..')),
      app_id                text        NOT NULL CHECK (app_id <> ''),
      topic_id              text        NOT NULL CHECK (topic_id <> ''),
      protocol_type         text        NOT NULL CHECK (protocol_type IN ('grpcSend', 'httpSend')),
      addr                  text        NOT NULL,
      timeout               integer     NOT NULL DEFAULT 0 CHECK (timeout >= 0),
      retry_strategy        jsonb       NOT NULL DEFAULT '{}',
      is_retry              boolean     NOT NULL DEFAULT false,
      is_flow_control       boolean     NOT NULL DEFAULT false,
      flow_control_strategy jsonb       NOT NULL DEFAULT '{}',
      is_stop               boolean     NOT NULL DEFAULT false,
      filter_tag            jsonb       NOT NULL DEFAULT '{}',
      delay_process_key     text        NOT NULL DEFAULT '',
      filter                jsonb       NULL,
      ordered               boolean     NOT NULL DEFAULT false,
      paused                boolean     NOT NULL DEFAULT false,
      concurrency           integer     NOT NULL DEFAULT 0 CHECK (concurrency >= 0),
      webhook_secret        text        NULL,
      auth_token            text        NULL,
      owner                 text        NULL,
      description           text        NOT NULL DEFAULT '',
      version               integer     NOT NULL DEFAULT 1,
      created_at            timestamptz NOT NULL DEFAULT now(),
      updated_at            timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX processors_app_topic ON processors (app_id, topic_id, dispatcher_id);
    COMMENT ON COLUMN processors.timeout IS 'milliseconds per Dispatch call; 0 = service default';
    COMMENT ON COLUMN processors.retry_strategy IS '{retry_count, retry_interval (ms), strategy_type: "" | "fixed" | "exponential", max_interval (ms)}';
    COMMENT ON COLUMN processors.flow_control_strategy IS '{qps, strategy_type}';
    COMMENT ON COLUMN processors.is_stop IS 'EvHub stop flag: the router skips this processor (pause/resume in the admin API)';
    COMMENT ON COLUMN processors.paused IS 'dispatch held: deliveries wait in the delivery topic until resumed';
    COMMENT ON COLUMN processors.filter IS 'JSON payload filter ($eq, $in, $and, ...); NULL = none';
    COMMENT ON COLUMN processors.concurrency IS 'max in-flight dispatches; 0 = service default';

    CREATE TABLE api_keys (
      id           text        PRIMARY KEY,
      name         text        NOT NULL DEFAULT '',
      key_hash     bytea       NOT NULL UNIQUE,
      app_ids      text[]      NOT NULL DEFAULT '{}',
      permissions  text[]      NOT NULL DEFAULT '{report}'
                               CHECK (permissions <@ ARRAY['report', 'broadcast', 'admin']::text[]),
      created_at   timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz NULL,
      revoked_at   timestamptz NULL,
      last_used_at timestamptz NULL
    );
    COMMENT ON COLUMN api_keys.key_hash IS 'sha256 of the secret; the secret itself is never stored';
    COMMENT ON COLUMN api_keys.app_ids IS 'app ids the key may act on; {*} = every app';

    CREATE FUNCTION eventyard_notify_config_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      r   jsonb;
      k   jsonb := '{}';
      col text;
    BEGIN
      IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
      FOREACH col IN ARRAY TG_ARGV LOOP
        k := k || jsonb_build_object(col, r -> col);
      END LOOP;
      PERFORM pg_notify('eventyard_config', jsonb_build_object(
        'table', TG_TABLE_NAME, 'op', TG_OP, 'key', k, 'version', r -> 'version')::text);
      RETURN NULL;
    END $$;

    CREATE TRIGGER producers_notify AFTER INSERT OR UPDATE OR DELETE ON producers
      FOR EACH ROW EXECUTE FUNCTION eventyard_notify_config_change('app_id', 'topic_id');
    CREATE TRIGGER processors_notify AFTER INSERT OR UPDATE OR DELETE ON processors
      FOR EACH ROW EXECUTE FUNCTION eventyard_notify_config_change('dispatcher_id');
    CREATE TRIGGER api_keys_notify AFTER INSERT OR DELETE OR UPDATE OF app_ids, permissions, expires_at, revoked_at ON api_keys
      FOR EACH ROW EXECUTE FUNCTION eventyard_notify_config_change('id');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE api_keys;
    DROP TABLE processors;
    DROP TABLE producers;
    DROP FUNCTION eventyard_notify_config_change();
  `);
}
