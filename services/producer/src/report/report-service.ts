// Report, the same for the gRPC and the HTTP edge: assign the event id first (so every answer carries
// one, as EvHub does), validate, authenticate, apply the quotas (the qps of the producer config, the
// trigger bounds, the app's pending timers), claim the idempotency key (in progress), publish, wait for
// the broker's acknowledgement and mark the key done (or release it when the publish failed). Failures
// come back as an EventyardError beside the event id; the edges translate them with toEdgeResult().
import { CoreErrors, EventyardError, IdGenerator, isEventyardError, ResultCode, ValidationError, type Logger } from '@eventyard/core';
import { completeIdempotencyKey, releaseIdempotencyKey, type ApiKeyRecord, type IdempotencyKeyRef, type Knex } from '@eventyard/db';
import { buildReportRecord, validateReport, type ValidationLimits } from '@eventyard/evhub';
import type { ReportReq__Output } from '@eventyard/proto';
import type { ApiKeyAuth, Caller } from '../auth/api-key-auth.ts';
import { ProducerErrors } from '../error-codes.ts';
import { parseBroadcastFlag } from '../auth/broadcast-flag.ts';
import type { ProducerMetrics } from '../metrics.ts';
import type { RecordPublisher } from '../publish/record-publisher.ts';
import type { ReportLimits } from '../quota/report-limits.ts';
import type { ReportRate } from '../quota/report-rate.ts';
import { claimOrWait, type IdempotencyWaitOptions } from './idempotency.ts';
import { endReportSpan, startReportSpan, startSendSpan } from './report-span.ts';

/** What an edge knows about the call besides the request. */
export interface ReportCallContext {
  /**
   * `source`: a record of a Kafka topic an operator declared as a source (`/v1/sources`). The operator's
   * declaration is its authorization, so no API key is checked (and none can be sent).
   */
  edge: 'grpc' | 'http' | 'source';
  /** The `authorization` metadata / header, when sent. */
  authorization?: string;
  /** The peer's IP address, for the failed-API-key-lookup limit. */
  clientAddress?: string;
  /** W3C traceparent, when sent. */
  traceParent?: string;
  /** The `eventyard-broadcast` metadata / header as sent (parsed here, so both edges answer alike). */
  broadcast?: string;
}

export interface ReportOutcome {
  /** Empty only when no id could be assigned (the producer is not accepting Reports). */
  event_id: string;
  /** null = accepted (or an idempotent duplicate, which is answered as accepted). */
  error: EventyardError | null;
  /** True when an idempotency key matched and nothing was published. */
  duplicate: boolean;
}

/**
 * Test-only fault points (createApp's deps; main.ts never sets them). `afterClaim` runs after this
 * Report claimed its idempotency key and before the record is handed to the publisher: a hook that never
 * resolves holds the claim in progress (a test can then kill the process), one that throws fails the
 * publish.
 */
export interface ReportFaults {
  afterClaim?(claim: IdempotencyKeyRef): Promise<void>;
}

export interface ReportServiceOptions {
  knex: Knex;
  publisher: RecordPublisher;
  limits: ValidationLimits;
  /** EY_REQUIRE_API_KEY's checks; absent = anonymous Reports only (broadcasts are then refused). */
  auth?: ApiKeyAuth;
  /** The Report rate limit (producer config `qps`) and the trigger bounds and per-app counts; absent = none. */
  quotas?: { rate: ReportRate; limits: ReportLimits };
  /** The claim expiry and a duplicate's wait for an in-progress key (both from the publish timeout). */
  idempotency: IdempotencyWaitOptions;
  metrics: ProducerMetrics;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
  faults?: ReportFaults;
}

export class ReportService {
  readonly #options: ReportServiceOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  #ids: IdGenerator | undefined;
  #stopReason = 'starting';

  constructor(options: ReportServiceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'report' });
    this.#now = options.now ?? Date.now;
  }

  /** Starts taking Reports with ids from `nodeId` (leased from Postgres). */
  accept(nodeId: number): void {
    this.#ids = new IdGenerator({ nodeId, now: this.#now });
  }

  /** Stops taking Reports (lease lost, shutting down): later calls get 20005 without an event id. */
  refuse(reason: string): void {
    this.#ids = undefined;
    this.#stopReason = reason;
  }

  get accepting(): boolean {
    return this.#ids !== undefined;
  }

  async report(request: ReportReq__Output, context: ReportCallContext): Promise<ReportOutcome> {
    const span = startReportSpan(context);
    // Current while the Report runs, so its Postgres queries (idempotency, API keys) are its children.
    const outcome = await span.run(() => this.#report(request, span.traceParent === '' ? context : { ...context, traceParent: span.traceParent }));
    endReportSpan(span, outcome);
    const code = outcome.error === null ? ResultCode.OK : outcome.error.resultCode;
    this.#options.metrics.reports.inc({ edge: context.edge, code: String(code) });
    return outcome;
  }

  /** A fresh event id, or undefined while not accepting. Shared with Prepare, so both draw from one lease. */
  nextEventId(): string | undefined {
    return this.#ids?.next();
  }

  /** The error answered while not accepting (lease lost, shutting down). */
  unavailableError(): EventyardError {
    return new EventyardError(ProducerErrors.EY_PRODUCER_UNAVAILABLE, `producer is not accepting reports: ${this.#stopReason}`);
  }

  async #report(request: ReportReq__Output, context: ReportCallContext): Promise<ReportOutcome> {
    const eventId = this.nextEventId();
    if (eventId === undefined) return { event_id: '', error: this.unavailableError(), duplicate: false };
    try {
      const valid = validateReport(request, this.#options.limits);
      const { app_id, topic_id } = valid.request.event;
      const broadcast = parseBroadcastFlag(context.broadcast);
      const caller = callerOf(context);
      const key = context.edge === 'source' ? undefined : await this.authorize(caller, { appId: app_id, topicId: topic_id }, broadcast);
      const quotas = this.#options.quotas;
      const makesTimers = quotas?.limits.makesTimers(valid) ?? false;
      if (quotas !== undefined) {
        // The stateless bounds first, so a Report refused by them costs no token of the qps.
        quotas.limits.checkTrigger(valid, this.#now());
        quotas.rate.take(app_id, topic_id);
        if (makesTimers) await quotas.limits.checkPendingTimers(app_id);
      }

      const claim = valid.idempotency === null ? null : { app_id, topic_id, key: valid.idempotency.key, event_id: eventId };
      if (claim !== null && valid.idempotency !== null) {
        const claimed = await claimOrWait(this.#options.knex, claim, valid.idempotency.windowMs, this.#options.idempotency);
        if (claimed.status === 'done') {
          this.#options.metrics.idempotentDuplicates.inc();
          return { event_id: claimed.event_id, error: null, duplicate: true };
        }
      }

      const send = startSendSpan(context.traceParent, valid, eventId);
      const record = buildReportRecord(valid, {
        eventId,
        nowMs: this.#now(),
        ...(send.traceParent === '' ? {} : { traceParent: send.traceParent }),
        ...(broadcast ? { broadcast } : {}),
        ...(key === undefined ? {} : { apiKeyId: key.id }),
      });
      if (broadcast) this.#log.info({ event_id: eventId, app_id, topic_id, keyId: key?.id }, 'broadcast accepted');
      const started = performance.now();
      try {
        if (claim !== null) await this.#options.faults?.afterClaim?.(claim);
        await this.#options.publisher.publish(record);
        this.#options.metrics.publishSeconds.observe({ topic: record.topic, outcome: 'ok' }, (performance.now() - started) / 1000);
      } catch (err) {
        this.#options.metrics.publishSeconds.observe({ topic: record.topic, outcome: 'error' }, (performance.now() - started) / 1000);
        send.fail(err);
        // Give the key back so the caller's retry of this Report (or a duplicate waiting on it) can publish.
        if (claim !== null)
          await releaseIdempotencyKey(this.#options.knex, claim).catch((releaseErr: unknown) =>
            this.#log.warn({ err: releaseErr, event_id: eventId }, 'idempotency key release failed'),
          );
        throw err;
      } finally {
        send.end();
      }
      if (claim !== null) await this.#complete(claim);
      if (makesTimers) quotas?.limits.timerAdded(app_id);
      return { event_id: eventId, error: null, duplicate: false };
    } catch (err) {
      return { event_id: eventId, error: this.#asEventyardError(err, eventId), duplicate: false };
    }
  }

  /**
   * Marks the key done after the acknowledgement. The event is written whatever happens here, so the
   * Report is answered OK even when this fails: the claim then stays in progress until it expires, and
   * duplicates wait or get a retryable error meanwhile rather than an event id too early.
   */
  async #complete(claim: IdempotencyKeyRef): Promise<void> {
    try {
      if (!(await completeIdempotencyKey(this.#options.knex, claim))) {
        this.#log.warn(
          { event_id: claim.event_id, key: claim.key },
          "idempotency claim expired and was taken over before the acknowledgement: the key's event may be published twice",
        );
      }
    } catch (err) {
      this.#log.warn(
        { err, event_id: claim.event_id },
        'idempotency key completion failed: duplicates wait or get a retryable error until the claim expires, then may publish again',
      );
    }
  }

  /** The key checks of a Report (and of a Prepare, which publishes one later); a broadcast always needs a key. */
  async authorize(caller: Caller, target: { appId: string; topicId: string }, broadcast: boolean): Promise<ApiKeyRecord | undefined> {
    if (this.#options.auth !== undefined) return this.#options.auth.authorize(caller, target, { broadcast });
    if (broadcast)
      throw new ValidationError(
        CoreErrors.EY_PERMISSION_DENIED,
        `authorization: broadcast requires an API key with the broadcast permission for app_id "${target.appId}"`,
      );
    return undefined;
  }

  #asEventyardError(err: unknown, eventId: string): EventyardError {
    if (isEventyardError(err)) {
      // Refusals of a limit are the caller's to handle (and can come in floods): not worth a warning each.
      if (err.resultCode !== ResultCode.INVALID_PARAMETER && err.family !== 'validation') this.#log.warn({ err, event_id: eventId }, 'report failed');
      return err;
    }
    // Postgres (idempotency, API keys) or anything unexpected.
    this.#log.error({ err, event_id: eventId }, 'report failed');
    return new EventyardError(ProducerErrors.EY_REPORT_FAILED, `system error (event_id ${eventId}; see the producer's log)`, { cause: err });
  }
}

function callerOf(context: { authorization?: string; clientAddress?: string }): Caller {
  return {
    ...(context.authorization === undefined ? {} : { authorization: context.authorization }),
    ...(context.clientAddress === undefined ? {} : { address: context.clientAddress }),
  };
}
