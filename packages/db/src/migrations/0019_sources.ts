// Kafka topics as sources (issue #19): one row per source, read by the producer service, which follows
// the table through the config trigger (a change, pause or delete takes effect without a restart).
// `cluster` holds brokers and references only (environment variable names, mounted file paths): no
// credential is ever stored here.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sources (
      source_id   text        PRIMARY KEY CHECK (source_id ~ '^[a-zA-Z0-9._-]{1,200}$' AND source_id NOT IN ('.', '..')),
      app_id      text        NOT NULL CHECK (app_id <> ''),
      topic_id    text        NOT NULL CHECK (topic_id <> ''),
      topic       text        NOT NULL CHECK (topic ~ '^[a-zA-Z0-9._-]{1,249}$'),
      cluster     jsonb       NULL,
      mapping     jsonb       NOT NULL DEFAULT '{}',
      start_from  text        NOT NULL DEFAULT 'latest' CHECK (start_from IN ('earliest', 'latest')),
      paused      boolean     NOT NULL DEFAULT false,
      description text        NOT NULL DEFAULT '',
      version     integer     NOT NULL DEFAULT 1,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sources_app_topic ON sources (app_id, topic_id, source_id);
    COMMENT ON COLUMN sources.cluster IS '{brokers, sasl: {mechanism, username_env|username_file, password_env|password_file}, tls}; NULL = Eventyard''s own cluster. References only, never secrets';
    COMMENT ON COLUMN sources.mapping IS '{data: json|bytes, ordering_key: {from: key|header|none, header}, tag_headers: [..], idempotency_key: {header, window_ms}}';
    CREATE TRIGGER sources_notify AFTER INSERT OR UPDATE OR DELETE ON sources
      FOR EACH ROW EXECUTE FUNCTION eventyard_notify_config_change('source_id');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE sources');
}
