// Transaction check-backs (EvHub's Callback): polls for PREPAREs whose next_check_at is due (claimed with
// SKIP LOCKED and a lease, so instances share the work and a crashed instance's claims come back), asks
// the producing service, and acts on the answer: COMMIT → commit with the returned trigger, writing the
// record Report would publish to the outbox (the producer's outbox relay publishes it, same event id);
// ROLLBACK → rollback; anything else → try again after an exponential backoff, and after `maxAttempts`
// inconclusive check-backs → rolled back as EXPIRED, with the last error recorded.
// The address asked is the one stored at Prepare, which a client may have chosen: only an address the
// app's producer config registered (its tx_address) is dialled as trusted (private networks allowed);
// any other must pass the full egress guard. A refused address is an inconclusive check-back like any
// unreachable one (backed off, then expired), its refusal recorded as the last error.
import { PollBackoff, type Logger } from '@eventyard/core';
import {
  claimDueChecks,
  commitTransaction,
  listProducers,
  rollbackTransaction,
  scheduleNextCheck,
  type Knex,
  type ProducerRecord,
  type TransactionRecord,
} from '@eventyard/db';
import { buildReportRecord, validateReport } from '@eventyard/evhub';
import { decodeMessage, TxStatus, type CallbackRsp__Output } from '@eventyard/proto';
import type { CallbackClient, CallbackEndpoint } from './callback-client.ts';
import type { TxCheckMetrics } from './tx-check-metrics.ts';

/** EvHub's default check-back deadline when the stored endpoint has none. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000;

export interface TxCheckerOptions {
  knex: Knex;
  client: CallbackClient;
  /** How often due check-backs are looked for. */
  pollMs: number;
  /** Longest poll interval once polls that find none have backed it off (doubling from pollMs). @default pollMs */
  idlePollMs?: number;
  /** Most transactions claimed (and checked concurrently) per poll. */
  batchSize: number;
  /** A claim holds this long; a check-back's deadline is kept well inside it. */
  leaseMs: number;
  /** Inconclusive check-backs before the transaction is expired (rolled back). */
  maxAttempts: number;
  /** Longest wait between two check-backs of one transaction. */
  backoffMaxMs: number;
  metrics?: TxCheckMetrics;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
}

export type CheckOutcome = 'committed' | 'rolled_back' | 'retry' | 'expired' | 'resolved_elsewhere';

/**
 * Delay before check-back n+1 after n inconclusive ones: the transaction's callback interval doubled per
 * attempt (interval, 2·interval, 4·interval, ...), capped, so a service that is down for a while is not
 * hammered and one that answers late is still asked often enough.
 */
export function backoffMs(callbackIntervalMs: number, attempts: number, maxMs: number): number {
  const base = Math.max(1, callbackIntervalMs);
  const exponent = Math.min(Math.max(0, attempts - 1), 30);
  return Math.min(maxMs, base * 2 ** exponent);
}

export class TxChecker {
  readonly #options: TxCheckerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #state: 'created' | 'running' | 'stopped' = 'created';
  #databaseOk = true;
  readonly #backoff: PollBackoff;

  constructor(options: TxCheckerOptions) {
    this.#options = options;
    this.#backoff = new PollBackoff(options.pollMs, options.idlePollMs ?? options.pollMs);
    this.#log = options.logger.child({ component: 'tx-check' });
    this.#now = options.now ?? Date.now;
  }

  get databaseOk(): boolean {
    return this.#databaseOk;
  }

  start(): void {
    if (this.#state !== 'created') return;
    this.#state = 'running';
    void this.#pollAndSchedule();
  }

  /** One poll, then the next one after the backoff's wait (short while check-backs are found, longer while none are). */
  async #pollAndSchedule(): Promise<void> {
    const found = await this.poll();
    if (this.#state !== 'running') return;
    this.#timer = setTimeout(() => void this.#pollAndSchedule(), this.#backoff.after(found));
    this.#timer.unref();
  }

  /** One poll now (or waits for the one in progress). Resolves when its check-backs are done: true when it found any (or failed). */
  poll(): Promise<boolean> {
    if (this.#state !== 'running') return Promise.resolve(false);
    this.#running ??= this.#pollOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops polling and waits for check-backs in flight (bounded by their deadlines). */
  async close(): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #pollOnce(): Promise<boolean> {
    let due: TransactionRecord[];
    try {
      due = await claimDueChecks(this.#options.knex, { limit: this.#options.batchSize, leaseMs: this.#options.leaseMs });
      this.#databaseOk = true;
    } catch (err) {
      this.#databaseOk = false;
      this.#log.warn({ err }, 'claiming due transaction check-backs failed');
      return true;
    }
    await Promise.all(due.map((tx) => this.check(tx)));
    return due.length > 0;
  }

  /** Runs one claimed check-back to its outcome (exported for tests through the class). */
  async check(tx: TransactionRecord): Promise<CheckOutcome> {
    const started = this.#now();
    let outcome: CheckOutcome;
    try {
      outcome = await this.#check(tx);
    } catch (err) {
      // The database failed while acting on an answer: the claim lapses and the check runs again.
      this.#log.warn({ err, event_id: tx.event_id }, 'transaction check-back could not be recorded');
      outcome = 'retry';
    }
    this.#options.metrics?.checks.inc({ outcome });
    this.#options.metrics?.durationSeconds.observe((this.#now() - started) / 1000);
    return outcome;
  }

  async #check(tx: TransactionRecord): Promise<CheckOutcome> {
    const log = this.#log.child({ event_id: tx.event_id, attempt: tx.check_attempts });
    let answer: CallbackRsp__Output;
    try {
      answer = await this.#ask(tx);
    } catch (err) {
      return this.#inconclusive(tx, err instanceof Error ? err.message : String(err), log);
    }
    const code = answer.ret?.code ?? 0;
    if (code !== 0) return this.#inconclusive(tx, `check-back answered ret.code ${code}: ${answer.ret?.msg ?? ''}`, log);
    const status = Number(answer.tx_status);
    if (status === TxStatus.TX_STATUS_COMMIT) return this.#commit(tx, answer, log);
    if (status === TxStatus.TX_STATUS_ROLLBACK) {
      const result = await rollbackTransaction(this.#options.knex, tx.event_id, { reason: 'rolled back by check-back' });
      log.info({ ok: result.ok }, 'transaction rolled back by check-back');
      return result.ok ? 'rolled_back' : 'resolved_elsewhere';
    }
    return this.#inconclusive(tx, `check-back answered tx_status ${status} (neither COMMIT nor ROLLBACK)`, log);
  }

  async #ask(tx: TransactionRecord): Promise<CallbackRsp__Output> {
    const endpoint = tx.callback as Partial<CallbackEndpoint> | null;
    if (endpoint === null || typeof endpoint.address !== 'string' || endpoint.address.trim() === '') throw new Error('no check-back address stored');
    const stored = Number(endpoint.timeout_ms);
    const timeoutMs = Math.min(Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_CALLBACK_TIMEOUT_MS, Math.floor(this.#options.leaseMs / 2));
    const event = decodeMessage('evhub_comm.Event', tx.event);
    const registered = await this.#registered(tx.app_id, endpoint.address);
    // Only a registered address gets the producer config's TLS files (its CA, client certificate).
    const tls = registered?.tls ?? null;
    return this.#options.client.call(
      { protocol_type: Number(endpoint.protocol_type ?? 0), address: endpoint.address, timeout_ms: timeoutMs },
      { event, tx: { event_id: tx.event_id, status: TxStatus.TX_STATUS_PREPARE } },
      timeoutMs,
      {
        trusted: registered !== undefined,
        tls: tls === null ? null : { caFile: tls.ca_file, certFile: tls.cert_file, keyFile: tls.key_file, serverName: tls.server_name },
      },
    );
  }

  /** The producer config of `appId` that registered `address` as its check-back address (tx_address), if any. */
  async #registered(appId: string, address: string): Promise<ProducerRecord | undefined> {
    const wanted = address.trim().toLowerCase();
    const producers = await listProducers(this.#options.knex, { app_id: appId });
    // Several topics of an app may register the same address: one with tls settings is preferred.
    const matching = producers.filter((p) => p.tx_address.trim().toLowerCase() === wanted);
    return matching.find((p) => p.tls !== null && p.tls !== undefined) ?? matching[0];
  }

  async #commit(tx: TransactionRecord, answer: CallbackRsp__Output, log: Logger): Promise<CheckOutcome> {
    const event = decodeMessage('evhub_comm.Event', tx.event);
    let record;
    try {
      // The returned trigger is checked exactly as Report (and Commit) check it; the event was checked at Prepare.
      const valid = validateReport({ event, trigger: answer.trigger, option: null }, { maxEventBytes: Number.MAX_SAFE_INTEGER, idempotencyDefaultWindowMs: 0 });
      record = buildReportRecord(valid, { eventId: tx.event_id, nowMs: this.#now(), broadcast: tx.broadcast });
    } catch (err) {
      // A bad trigger is the producing service's bug: keep asking (it may be fixed) until the limit expires it.
      return this.#inconclusive(tx, `check-back answered COMMIT with an invalid trigger: ${err instanceof Error ? err.message : String(err)}`, log);
    }
    const result = await commitTransaction(this.#options.knex, tx.event_id, {
      trigger: answer.trigger,
      publish: { topic: record.topic, message_key: record.key, value: record.value, headers: record.headers, event_id: tx.event_id },
    });
    log.info({ ok: result.ok }, 'transaction committed by check-back');
    return result.ok ? 'committed' : 'resolved_elsewhere';
  }

  async #inconclusive(tx: TransactionRecord, error: string, log: Logger): Promise<CheckOutcome> {
    if (tx.check_attempts >= this.#options.maxAttempts) {
      const reason = `expired after ${tx.check_attempts} inconclusive check-backs; last: ${error}`;
      const result = await rollbackTransaction(this.#options.knex, tx.event_id, { expired: true, reason });
      log.warn({ reason, ok: result.ok }, 'transaction expired');
      return result.ok ? 'expired' : 'resolved_elsewhere';
    }
    const delayMs = backoffMs(tx.callback_interval_ms, tx.check_attempts, this.#options.backoffMaxMs);
    const pending = await scheduleNextCheck(this.#options.knex, tx.event_id, { delayMs, error });
    log.info({ error, delayMs }, 'transaction check-back inconclusive');
    return pending ? 'retry' : 'resolved_elsewhere';
  }
}
