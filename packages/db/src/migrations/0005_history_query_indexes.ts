// Indexes for the admin history queries (GET /v1/events, /v1/deliveries, processor stats), each chosen
// from EXPLAIN ANALYZE on 1M seeded deliveries (bench/query): without them, "events with a cancelled
// delivery at billing" scanned all 250k of billing's rows to find none, a time window on deliveries
// read half the table, and the stats read every row of a 30-day window from the heap.
//
// Two indexes of 0002 are replaced by the same keys plus INCLUDE columns (so the stats are index-only
// scans) rather than kept beside them: the router and dispatcher pay for every index on these tables.
// Plain CREATE INDEX (in the migration's transaction) blocks writes to the tables while it builds: all
// of it took 14.7 s on 1M deliveries, 890k attempts and 500k events (bench/query, a loaded 2-core
// machine); on a big history run it in a quiet moment.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Events filtered by their deliveries page on event_id: one ordered scan per status, with or without
    -- a processor, stops after a page however rare the status is.
    CREATE INDEX deliveries_dispatcher_status_event ON deliveries (dispatcher_id, status, event_id);
    CREATE INDEX deliveries_status_event ON deliveries (status, event_id);
    -- since/until on deliveries.created_at (events already have events_created).
    CREATE INDEX deliveries_created ON deliveries (created_at);
    -- retry_source=manual starts from the few manual attempts, in event order or delivery order.
    CREATE INDEX delivery_attempts_manual_event ON delivery_attempts (event_id) WHERE trigger = 'manual';
    CREATE INDEX delivery_attempts_manual_delivery ON delivery_attempts (delivery_id) WHERE trigger = 'manual';
    -- Stats restricted to broadcast events: the (few) broadcast ids, hashed, instead of a scan of events.
    CREATE INDEX events_broadcast ON events (event_id) WHERE broadcast;

    CREATE INDEX deliveries_dispatcher_updated_cover ON deliveries (dispatcher_id, updated_at) INCLUDE (status, event_id);
    DROP INDEX deliveries_dispatcher_updated;
    CREATE INDEX delivery_attempts_dispatcher_started_cover ON delivery_attempts (dispatcher_id, started_at) INCLUDE (outcome, latency_ms, event_id);
    DROP INDEX delivery_attempts_dispatcher_started;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX delivery_attempts_dispatcher_started ON delivery_attempts (dispatcher_id, started_at);
    DROP INDEX delivery_attempts_dispatcher_started_cover;
    CREATE INDEX deliveries_dispatcher_updated ON deliveries (dispatcher_id, updated_at);
    DROP INDEX deliveries_dispatcher_updated_cover;
    DROP INDEX events_broadcast;
    DROP INDEX delivery_attempts_manual_delivery;
    DROP INDEX delivery_attempts_manual_event;
    DROP INDEX deliveries_created;
    DROP INDEX deliveries_status_event;
    DROP INDEX deliveries_dispatcher_status_event;
  `);
}
