// Transactional half-events (EvHub Prepare/Commit/Rollback) and the outbox that publishes a commit:
// the state change and the outbox row are written in one database transaction, so a committed event is
// never lost and a rolled-back one never published. Only a PREPARE moves, and it moves once.
import type { Knex } from 'knex';

export const TX_STATUSES = ['prepare', 'commit', 'rollback', 'expired'] as const;
export type TxStatus = (typeof TX_STATUSES)[number];

export interface TransactionRecord {
  event_id: string;
  app_id: string;
  topic_id: string;
  status: TxStatus;
  /** The half-event as stored at Prepare (protobuf `evhub_comm.Event`). */
  event: Buffer;
  trigger: unknown;
  callback: unknown;
  callback_interval_ms: number;
  check_attempts: number;
  next_check_at: Date | null;
  last_check_error: string | null;
  /** Prepare was an authorised broadcast: the committed event goes to every active processor of the topic. */
  broadcast: boolean;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

export interface PrepareInput {
  event_id: string;
  app_id: string;
  topic_id: string;
  event: Buffer;
  /** Check-back endpoint, e.g. `{ protocol_type, address, timeout_ms }`. */
  callback: unknown;
  /** First check-back after this many ms. */
  callback_interval_ms: number;
  /** An authorised broadcast (checked by the caller). @default false */
  broadcast?: boolean;
}

export interface OutboxMessage {
  topic: string;
  message_key: Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
  event_id?: string | null;
}

export interface OutboxRecord extends Required<OutboxMessage> {
  id: string;
  created_at: Date;
  published_at: Date | null;
}

export async function prepareTransaction(knex: Knex, input: PrepareInput): Promise<TransactionRecord> {
  const [row] = (await knex('transactions')
    .insert({
      ...input,
      callback: JSON.stringify(input.callback ?? null),
      next_check_at: knex.raw('now() + make_interval(secs => ? / 1000.0)', [input.callback_interval_ms]),
    })
    .returning('*')) as TransactionRecord[];
  if (row === undefined) throw new Error('transaction insert returned no row');
  return row;
}

export async function getTransaction(knex: Knex, eventId: string): Promise<TransactionRecord | undefined> {
  return (await knex('transactions').where({ event_id: eventId }).first()) as TransactionRecord | undefined;
}

/** `ok: false` carries the current status (undefined = unknown transaction) for EvHub's 21001/21002. */
export type TransitionResult = { ok: true; transaction: TransactionRecord } | { ok: false; status: TxStatus | undefined };

/** PREPARE → COMMIT, writing `publish` to the outbox in the same database transaction. */
export async function commitTransaction(knex: Knex, eventId: string, options: { trigger: unknown; publish: OutboxMessage }): Promise<TransitionResult> {
  return knex.transaction(async (trx) => {
    const result = await transition(trx, eventId, 'commit', { trigger: JSON.stringify(options.trigger ?? null) });
    if (result.ok) await enqueueOutbox(trx, [options.publish]);
    return result;
  });
}

/** PREPARE → ROLLBACK (or EXPIRED when the check-back limit gave up). */
export async function rollbackTransaction(knex: Knex, eventId: string, options: { expired?: boolean; reason?: string } = {}): Promise<TransitionResult> {
  const extra = options.reason === undefined ? {} : { last_check_error: options.reason };
  return transition(knex, eventId, options.expired === true ? 'expired' : 'rollback', extra);
}

async function transition(knex: Knex, eventId: string, to: TxStatus, extra: Record<string, unknown>): Promise<TransitionResult> {
  const [row] = (await knex('transactions')
    .where({ event_id: eventId, status: 'prepare' })
    .update({ ...extra, status: to, resolved_at: knex.fn.now(), updated_at: knex.fn.now(), next_check_at: null })
    .returning('*')) as TransactionRecord[];
  if (row !== undefined) return { ok: true, transaction: row };
  const current = (await knex('transactions').where({ event_id: eventId }).first('status')) as { status: TxStatus } | undefined;
  return { ok: false, status: current?.status };
}

/**
 * Claims PREPAREs whose check-back is due: pushes their next_check_at out by `leaseMs` (so a crashed
 * checker's claim comes back) and counts the attempt.
 */
export async function claimDueChecks(knex: Knex, options: { limit: number; leaseMs: number }): Promise<TransactionRecord[]> {
  const result = await knex.raw<{ rows: TransactionRecord[] }>(
    `UPDATE transactions
        SET next_check_at = now() + make_interval(secs => ? / 1000.0), check_attempts = check_attempts + 1, updated_at = now()
      WHERE event_id IN (SELECT event_id FROM transactions
                          WHERE status = 'prepare' AND next_check_at <= now()
                          ORDER BY next_check_at
                          LIMIT ?
                          FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [options.leaseMs, options.limit],
  );
  return result.rows;
}

/** After an inconclusive check-back: try again in `delayMs`, remembering why. */
export async function scheduleNextCheck(knex: Knex, eventId: string, options: { delayMs: number; error?: string }): Promise<boolean> {
  const updated = await knex('transactions')
    .where({ event_id: eventId, status: 'prepare' })
    .update({
      next_check_at: knex.raw('now() + make_interval(secs => ? / 1000.0)', [options.delayMs]),
      last_check_error: options.error ?? null,
      updated_at: knex.fn.now(),
    });
  return updated > 0;
}

export async function enqueueOutbox(knex: Knex, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await knex('outbox').insert(
    messages.map((m) => ({
      topic: m.topic,
      message_key: m.message_key,
      value: m.value,
      headers: JSON.stringify(m.headers ?? {}),
      event_id: m.event_id ?? null,
    })),
  );
}

/**
 * Publishes up to `limit` unpublished outbox rows in id order: locks them (other relays skip them),
 * awaits `publish`, then marks them published in the same transaction. If `publish` throws, nothing is
 * marked and the rows are retried later. Returns how many were published.
 */
export async function relayOutbox(knex: Knex, options: { limit: number; publish: (rows: OutboxRecord[]) => Promise<void> }): Promise<number> {
  return knex.transaction(async (trx) => {
    const rows = (await trx('outbox').whereNull('published_at').orderBy('id').limit(options.limit).forUpdate().skipLocked()) as OutboxRecord[];
    if (rows.length === 0) return 0;
    await options.publish(rows);
    await trx('outbox')
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({ published_at: trx.fn.now() });
    return rows.length;
  });
}

/** Transactions of appId still in PREPARE (partial index transactions_open_app). */
export async function countOpenTransactionsForApp(knex: Knex, appId: string): Promise<number> {
  const rows = await knex('transactions').where({ app_id: appId, status: 'prepare' }).count<Array<{ count: string }>>('* as count');
  return Number(rows[0]?.count ?? 0);
}
