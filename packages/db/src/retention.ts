// Keeps history bounded: deletes events older than the retention period together with their
// deliveries and attempts, resolved transactions, published outbox rows and expired idempotency keys,
// in small batches so the job never holds long locks. Payloads have their own, shorter retention.
import type { Knex } from 'knex';

export interface PruneHistoryOptions {
  /** Rows created before this instant are deleted. */
  olderThan: Date;
  /** Events per batch (their deliveries and attempts go in the same statement). @default 1000 */
  batchSize?: number;
  /** Stops between batches once aborted (a service shutting down); what was deleted so far is counted. */
  signal?: AbortSignal;
}

export interface PruneHistoryResult {
  events: number;
  deliveries: number;
  attempts: number;
  /** Finished or cancelled repeat chains of the deleted events. */
  repeatChains: number;
  transactions: number;
  outbox: number;
  idempotencyKeys: number;
}

/**
 * Deletes history older than `olderThan`. Events with a live timer or a running repeat chain, and
 * events (re-)recorded since the cutoff, are kept whatever their age, so a running chain or a long
 * delay never loses its record.
 */
export async function pruneHistory(knex: Knex, options: PruneHistoryOptions): Promise<PruneHistoryResult> {
  const batchSize = options.batchSize ?? 1000;
  const cutoff = options.olderThan;
  const result: PruneHistoryResult = { events: 0, deliveries: 0, attempts: 0, repeatChains: 0, transactions: 0, outbox: 0, idempotencyKeys: 0 };
  for (;;) {
    const { rows } = await knex.raw<{ rows: Array<{ events: string; deliveries: string; attempts: string; chains: string }> }>(
      // Kept whatever their age: events with a timer (a pending delay, retry or occurrence), with a
      // repeat chain still running (its next occurrence may be on eventyard.schedule, not yet a timer),
      // and events recorded or re-recorded within the period (a delay longer than the retention fires
      // with its old created_at: its history starts now). Finished chains go with their event.
      `WITH doomed AS (
         SELECT e.event_id FROM events e
          WHERE e.created_at < ? AND e.updated_at < ?
            AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.event_id = e.event_id)
            AND NOT EXISTS (SELECT 1 FROM repeat_chains c WHERE c.event_id = e.event_id AND c.cancelled_at IS NULL AND c.next_due_at IS NOT NULL)
          ORDER BY e.created_at
          LIMIT ?
       ),
       a AS (DELETE FROM delivery_attempts WHERE event_id IN (SELECT event_id FROM doomed) RETURNING 1),
       d AS (DELETE FROM deliveries WHERE event_id IN (SELECT event_id FROM doomed) RETURNING 1),
       c AS (DELETE FROM repeat_chains WHERE event_id IN (SELECT event_id FROM doomed) RETURNING 1),
       e AS (DELETE FROM events WHERE event_id IN (SELECT event_id FROM doomed) RETURNING 1)
       SELECT (SELECT count(*) FROM e) AS events, (SELECT count(*) FROM d) AS deliveries, (SELECT count(*) FROM a) AS attempts,
              (SELECT count(*) FROM c) AS chains`,
      [cutoff, cutoff, batchSize],
    );
    const row = rows[0];
    const events = Number(row?.events ?? 0);
    result.events += events;
    result.deliveries += Number(row?.deliveries ?? 0);
    result.attempts += Number(row?.attempts ?? 0);
    result.repeatChains += Number(row?.chains ?? 0);
    if (events < batchSize || options.signal?.aborted === true) break;
  }
  if (options.signal?.aborted === true) return result;
  result.transactions = await deleteInBatches(knex, 'transactions', 'event_id', "status <> 'prepare' AND resolved_at < ?", [cutoff], batchSize);
  result.outbox = await deleteInBatches(knex, 'outbox', 'id', 'published_at < ?', [cutoff], batchSize);
  result.idempotencyKeys = await pruneExpiredIdempotencyKeys(knex, { batchSize });
  return result;
}

/** Deletes idempotency keys whose window (done) or claim (in progress, holder gone) has passed. */
export async function pruneExpiredIdempotencyKeys(knex: Knex, options: { batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  let total = 0;
  for (;;) {
    const deleted = await knex.raw<{ rowCount: number }>(
      `DELETE FROM idempotency_keys WHERE (app_id, topic_id, key) IN (
         SELECT app_id, topic_id, key FROM idempotency_keys WHERE expires_at < now() LIMIT ?)`,
      [batchSize],
    );
    total += deleted.rowCount;
    if (deleted.rowCount < batchSize) return total;
  }
}

/** Drops payloads of events older than `olderThan` (replay then answers that the payload expired). */
export async function prunePayloads(knex: Knex, options: PruneHistoryOptions): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  let total = 0;
  for (;;) {
    const updated = await knex.raw<{ rowCount: number }>(
      `UPDATE events SET payload = NULL, payload_pruned_at = now()
        WHERE event_id IN (SELECT event_id FROM events WHERE created_at < ? AND payload IS NOT NULL LIMIT ?)`,
      [options.olderThan, batchSize],
    );
    total += updated.rowCount;
    if (updated.rowCount < batchSize) return total;
  }
}

async function deleteInBatches(knex: Knex, table: string, idColumn: string, where: string, bindings: unknown[], batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await knex.raw<{ rowCount: number }>(`DELETE FROM ?? WHERE ?? IN (SELECT ?? FROM ?? WHERE ${where} LIMIT ?)`, [
      table,
      idColumn,
      idColumn,
      table,
      ...bindings,
      batchSize,
    ] as Knex.RawBinding[]);
    total += deleted.rowCount;
    if (deleted.rowCount < batchSize) return total;
  }
}
