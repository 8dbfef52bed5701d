// EvHub transactions at the producer: Prepare stores the half-event (PREPARE) with its check-back
// endpoint; Commit validates the trigger, moves it to COMMIT and writes the record Report would have
// published to the outbox in the same database transaction (the relay publishes it, same event id);
// Rollback discards it. Check-backs of unresolved PREPAREs are run elsewhere (delay-scheduler) from the
// stored endpoint and next_check_at. Result codes as in evhub-contract.md: 21000 insert failed,
// 21001 commit not in PREPARE, 21002 rollback not in PREPARE or unknown. Quotas: a Prepare takes from
// the qps of its (app_id, topic_id) like a Report and counts against EY_MAX_OPEN_TRANSACTIONS_PER_APP; a
// Commit's trigger meets the same bounds and pending-timer count as a Report's.
import { decodeEventId, EventyardError, isEventyardError, ResultCode, type Logger } from '@eventyard/core';
import { buildReportRecord, durationMs, invalidField, validateReport, type ValidationLimits } from '@eventyard/evhub';
import { commitTransaction, getProducer, getTransaction, prepareTransaction, rollbackTransaction, type Knex, type TxStatus as DbTxStatus } from '@eventyard/db';
import { decodeMessage, encodeMessage, TxStatus, type CommitReq__Output, type PrepareReq__Output, type RollbackReq__Output } from '@eventyard/proto';
import { BROADCAST_METADATA_KEY, parseBroadcastFlag } from '../auth/broadcast-flag.ts';
import { ProducerErrors } from '../error-codes.ts';
import type { Caller } from '../auth/api-key-auth.ts';
import type { ReportLimits } from '../quota/report-limits.ts';
import type { ReportRate } from '../quota/report-rate.ts';
import type { ReportService } from '../report/report-service.ts';
import type { OutboxRelay } from './outbox-relay.ts';
import { endCommitSpan, startCommitSpan } from '../report/report-span.ts';

export const DEFAULT_TX_TIMEOUT_MS = 5000;
export const DEFAULT_TX_CALLBACK_INTERVAL_MS = 120_000;
const MAX_CALLBACK_INTERVAL_MS = 30 * 24 * 3600 * 1000;

export interface TxAnswer {
  ret: { code: number; msg: string };
  tx: { event_id: string; status: number };
}

/** An answer plus, for transport-level refusals (auth, not accepting), the error the edge maps. */
export interface TxOutcome {
  answer: TxAnswer;
  error: EventyardError | null;
}

/** What the check-back runner reads from `transactions.callback`. */
export interface StoredCallback {
  /** 5 = HTTP JSON POST, anything else = gRPC evhubTransaction/Callback. */
  protocol_type: number;
  address: string;
  timeout_ms: number;
}

export interface TransactionServiceOptions {
  knex: Knex;
  /** Event ids, availability, and the API key checks Report makes (`authorize`), so both answer alike. */
  reports: ReportService;
  relay: OutboxRelay;
  limits: ValidationLimits;
  /** As ReportService's; absent = none. */
  quotas?: { rate: ReportRate; limits: ReportLimits };
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
}

const STATUS_NUMBER: Record<DbTxStatus, number> = {
  prepare: TxStatus.TX_STATUS_PREPARE,
  commit: TxStatus.TX_STATUS_COMMIT,
  rollback: TxStatus.TX_STATUS_ROLLBACK,
  expired: TxStatus.TX_STATUS_ROLLBACK,
};

function answer(code: number, msg: string, eventId: string, status = 0): TxAnswer {
  return { ret: { code, msg }, tx: { event_id: eventId, status } };
}

export class TransactionService {
  readonly #options: TransactionServiceOptions;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(options: TransactionServiceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'transactions' });
    this.#now = options.now ?? Date.now;
  }

  /** `broadcastFlag` is the `eventyard-broadcast` metadata / header as sent: checked here, stored, published at commit. */
  async prepare(request: PrepareReq__Output, caller: Caller, broadcastFlag?: string): Promise<TxOutcome> {
    const eventId = this.#options.reports.nextEventId();
    if (eventId === undefined) return this.#refused(this.#options.reports.unavailableError(), '');
    try {
      const valid = validateReport({ event: request.event, trigger: null, option: null }, this.#options.limits);
      const event = valid.request.event;
      const broadcast = parseBroadcastFlag(broadcastFlag);
      // As for a Report; a broadcast needs a key with the broadcast permission whatever EY_REQUIRE_API_KEY says.
      await this.#options.reports.authorize(caller, { appId: event.app_id, topicId: event.topic_id }, broadcast);
      const quotas = this.#options.quotas;
      if (quotas !== undefined) {
        quotas.rate.take(event.app_id, event.topic_id);
        await quotas.limits.checkOpenTransactions(event.app_id);
      }
      const { callback, intervalMs } = await this.#callbackFor(request, event.app_id, event.topic_id);
      try {
        await prepareTransaction(this.#options.knex, {
          event_id: eventId,
          app_id: event.app_id,
          topic_id: event.topic_id,
          event: encodeMessage('evhub_comm.Event', event),
          callback,
          callback_interval_ms: intervalMs,
          broadcast,
        });
      } catch (err) {
        this.#log.error({ err, event_id: eventId }, 'transaction insert failed');
        return { answer: answer(ResultCode.TX_INSERT_FAILED, `transaction insert failed (event_id ${eventId})`, eventId), error: null };
      }
      quotas?.limits.transactionOpened(event.app_id);
      return { answer: answer(ResultCode.OK, '', eventId, TxStatus.TX_STATUS_PREPARE), error: null };
    } catch (err) {
      return this.#failed(err, eventId);
    }
  }

  /**
   * A broadcast is decided (and authorised) at Prepare; `broadcastFlag` here may only agree with it. The
   * event's trace starts (or continues the caller's `traceParent`) at Commit, where it becomes real.
   */
  async commit(request: CommitReq__Output, caller: Caller, broadcastFlag?: string, traceParent?: string): Promise<TxOutcome> {
    const span = startCommitSpan(traceParent, request.event_id);
    const outcome = await span.run(() => this.#commit(request, caller, broadcastFlag, span.traceParent));
    endCommitSpan(span, outcome);
    return outcome;
  }

  async #commit(request: CommitReq__Output, caller: Caller, broadcastFlag: string | undefined, traceParent: string): Promise<TxOutcome> {
    const eventId = request.event_id;
    try {
      decodeEventId(eventId, 'event_id');
      const asked = parseBroadcastFlag(broadcastFlag);
      const tx = await getTransaction(this.#options.knex, eventId);
      if (tx === undefined) return { answer: answer(ResultCode.TX_COMMIT_NOT_PREPARED, `commit: unknown transaction ${eventId}`, eventId), error: null };
      await this.#options.reports.authorize(caller, { appId: tx.app_id, topicId: tx.topic_id }, false);
      if (asked && !tx.broadcast)
        throw invalidField(
          BROADCAST_METADATA_KEY,
          `(metadata / header) on Commit: transaction ${eventId} was not prepared as a broadcast; send the flag with Prepare`,
        );
      if (tx.status !== 'prepare') return { answer: this.#notPrepared('commit', ResultCode.TX_COMMIT_NOT_PREPARED, eventId, tx.status), error: null };
      const event = decodeMessage('evhub_comm.Event', tx.event);
      // The trigger is checked exactly as Report checks it; a bad one leaves the transaction in PREPARE.
      const valid = validateReport({ event, trigger: request.trigger, option: null }, this.#options.limits);
      const quotas = this.#options.quotas;
      const makesTimers = quotas?.limits.makesTimers(valid) ?? false;
      quotas?.limits.checkTrigger(valid, this.#now());
      if (makesTimers) await quotas?.limits.checkPendingTimers(tx.app_id);
      const record = buildReportRecord(valid, { eventId, nowMs: this.#now(), broadcast: tx.broadcast, ...(traceParent === '' ? {} : { traceParent }) });
      const result = await commitTransaction(this.#options.knex, eventId, {
        trigger: request.trigger,
        publish: { topic: record.topic, message_key: record.key, value: record.value, headers: record.headers, event_id: eventId },
      });
      if (!result.ok) return { answer: this.#notPrepared('commit', ResultCode.TX_COMMIT_NOT_PREPARED, eventId, result.status), error: null };
      // Durable in the outbox now; publishing right away keeps Commit → delivery as quick as Report.
      await this.#options.relay.kick();
      if (makesTimers) quotas?.limits.timerAdded(tx.app_id);
      return { answer: answer(ResultCode.OK, '', eventId, TxStatus.TX_STATUS_COMMIT), error: null };
    } catch (err) {
      return this.#failed(err, eventId);
    }
  }

  async rollback(request: RollbackReq__Output, caller: Caller): Promise<TxOutcome> {
    const eventId = request.event_id;
    try {
      decodeEventId(eventId, 'event_id');
      const tx = await getTransaction(this.#options.knex, eventId);
      if (tx === undefined) return { answer: answer(ResultCode.TX_ROLLBACK_NOT_PREPARED, `rollback: unknown transaction ${eventId}`, eventId), error: null };
      await this.#options.reports.authorize(caller, { appId: tx.app_id, topicId: tx.topic_id }, false);
      const result = await rollbackTransaction(this.#options.knex, eventId);
      if (!result.ok) return { answer: this.#notPrepared('rollback', ResultCode.TX_ROLLBACK_NOT_PREPARED, eventId, result.status), error: null };
      return { answer: answer(ResultCode.OK, '', eventId, TxStatus.TX_STATUS_ROLLBACK), error: null };
    } catch (err) {
      return this.#failed(err, eventId);
    }
  }

  #notPrepared(action: string, code: number, eventId: string, status: DbTxStatus | undefined): TxAnswer {
    if (status === undefined) return answer(code, `${action}: unknown transaction ${eventId}`, eventId);
    return answer(code, `${action}: transaction ${eventId} is ${status.toUpperCase()}, not PREPARE`, eventId, STATUS_NUMBER[status]);
  }

  /** Check-back endpoint from `tx_callback`, else from the producer config of (app_id, topic_id). */
  async #callbackFor(request: PrepareReq__Output, appId: string, topicId: string): Promise<{ callback: StoredCallback; intervalMs: number }> {
    const endpoint = request.tx_callback?.Endpoint ?? null;
    const interval = request.tx_callback?.callback_interval ?? null;
    let intervalMs = interval === null ? 0 : durationMs(interval, 'tx_callback.callback_interval');
    let timeoutMs = endpoint?.timeout === null || endpoint?.timeout === undefined ? 0 : durationMs(endpoint.timeout, 'tx_callback.Endpoint.timeout');
    if (intervalMs < 0) throw invalidField('tx_callback.callback_interval', 'must not be negative');
    if (intervalMs > MAX_CALLBACK_INTERVAL_MS) throw invalidField('tx_callback.callback_interval', 'must be at most 30 days');
    if (timeoutMs < 0) throw invalidField('tx_callback.Endpoint.timeout', 'must not be negative');
    let protocolType = Number(endpoint?.protocol_type ?? 0);
    let address = endpoint?.address.trim() ?? '';
    if (address === '') {
      const config = await getProducer(this.#options.knex, appId, topicId);
      if (config === undefined || config.tx_address.trim() === '') {
        throw invalidField('tx_callback.Endpoint.address', `is required (or set tx_address in the producer config of ${appId}/${topicId})`);
      }
      address = config.tx_address.trim();
      protocolType = config.tx_protocol_type;
      if (timeoutMs === 0) timeoutMs = config.tx_timeout;
      if (intervalMs === 0) intervalMs = config.tx_callback_interval;
    }
    return {
      callback: { protocol_type: protocolType, address, timeout_ms: Math.ceil(timeoutMs) || DEFAULT_TX_TIMEOUT_MS },
      intervalMs: Math.ceil(intervalMs) || DEFAULT_TX_CALLBACK_INTERVAL_MS,
    };
  }

  #refused(error: EventyardError, eventId: string): TxOutcome {
    return { answer: answer(error.resultCode, error.message, eventId), error };
  }

  #failed(err: unknown, eventId: string): TxOutcome {
    if (isEventyardError(err)) {
      // Auth errors are answered at the transport level by the edge; the rest in `ret`.
      if (err.resultCode !== ResultCode.INVALID_PARAMETER) this.#log.warn({ err, event_id: eventId }, 'transaction call failed');
      return { answer: answer(err.resultCode, err.message, eventId), error: err };
    }
    this.#log.error({ err, event_id: eventId }, 'transaction call failed');
    const error = new EventyardError(ProducerErrors.EY_REPORT_FAILED, `system error (event_id ${eventId}; see the producer's log)`, { cause: err });
    return { answer: answer(error.resultCode, error.message, eventId), error };
  }
}
