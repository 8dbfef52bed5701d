// Endpoint health per processor: `processors.circuit_breaker` (its breaker settings, null = defaults),
// and what the dispatchers' breakers did. Each dispatcher instance keeps its own breaker per processor
// (it sees only the partitions it was assigned), so `processor_breakers` holds one row per (processor,
// instance), written on every transition and kept fresh by the instance's heartbeat (`seen_at`): a row
// whose instance stopped heartbeating is ignored by readers and pruned. `processor_breaker_transitions`
// is the recent history (pruned by age). `processor_auto_pauses` says why a processor was paused by a
// dispatcher; a trigger drops it as soon as the processor is unpaused by any path (resume route, full
// upsert, CLI), so a later manual pause is never shown with a stale automatic reason.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE processors ADD COLUMN circuit_breaker jsonb NULL;
    COMMENT ON COLUMN processors.circuit_breaker IS 'circuit breaker and auto-pause settings set on this processor (unset fields take the defaults); NULL = all defaults';

    CREATE TABLE processor_breakers (
      dispatcher_id text NOT NULL REFERENCES processors (dispatcher_id) ON DELETE CASCADE,
      instance_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
      since timestamptz NOT NULL,
      failing_since timestamptz NULL,
      last_failure_at timestamptz NULL,
      last_failure text NULL,
      next_probe_at timestamptz NULL,
      consecutive_failures integer NOT NULL DEFAULT 0,
      reason text NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (dispatcher_id, instance_id)
    );
    CREATE INDEX processor_breakers_instance ON processor_breakers (instance_id);
    COMMENT ON TABLE processor_breakers IS 'latest breaker transition per (processor, dispatcher instance); seen_at = last heartbeat of the instance';

    CREATE TABLE processor_breaker_transitions (
      id bigserial PRIMARY KEY,
      dispatcher_id text NOT NULL REFERENCES processors (dispatcher_id) ON DELETE CASCADE,
      instance_id text NOT NULL,
      from_state text NOT NULL,
      to_state text NOT NULL,
      at timestamptz NOT NULL,
      reason text NULL
    );
    CREATE INDEX processor_breaker_transitions_recent ON processor_breaker_transitions (dispatcher_id, at DESC);
    CREATE INDEX processor_breaker_transitions_at ON processor_breaker_transitions (at);

    CREATE TABLE processor_auto_pauses (
      dispatcher_id text PRIMARY KEY REFERENCES processors (dispatcher_id) ON DELETE CASCADE,
      paused_at timestamptz NOT NULL,
      reason text NOT NULL,
      instance_id text NOT NULL
    );
    COMMENT ON TABLE processor_auto_pauses IS 'why a dispatcher paused a processor (failing too long); dropped when the processor is unpaused';

    CREATE FUNCTION eventyard_clear_auto_pause() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM processor_auto_pauses WHERE dispatcher_id = NEW.dispatcher_id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER processors_clear_auto_pause AFTER UPDATE OF paused ON processors
      FOR EACH ROW WHEN (OLD.paused AND NOT NEW.paused) EXECUTE FUNCTION eventyard_clear_auto_pause();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER processors_clear_auto_pause ON processors;
    DROP FUNCTION eventyard_clear_auto_pause();
    DROP TABLE processor_auto_pauses;
    DROP TABLE processor_breaker_transitions;
    DROP TABLE processor_breakers;
    ALTER TABLE processors DROP COLUMN circuit_breaker;
  `);
}
