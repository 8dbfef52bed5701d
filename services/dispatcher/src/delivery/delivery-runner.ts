// Delivers one delivery record: decode, wait for a concurrency slot and a rate token, call the consumer
// with the processor's config as of now, classify the outcome, hand it on (retry timer or dead letter),
// record the attempt and the delivery's status. It resolves only once all of that is durable (or the
// attempt record was refused as data and reduced or skipped, see attempt-record.ts), which is when the
// consumer loop may count the record's offset as done. Shutdown makes it reject with
// `abandoned()` at any wait, leaving the record to be read again.
// A processor with `ordered: true` retries in place (a timer here, not in the consume loop), so a
// failing delivery holds back later ones of its key until it succeeds or dies.
// A job with a start gate can be cancelled until its first attempt is about to send (its partition is
// being revoked): it then rejects with `abandoned()` having sent and recorded nothing.
// A repeat occurrence first checks its chain (a cancelled chain's occurrence is recorded `cancelled`,
// not delivered) and, on its first attempt, schedules the next occurrence; a 30000 stops the chain.
import { addTraceLogFields, isEventyardError, SpanEvents, type DeadLetterSource, type Logger, type TraceSpan } from '@eventyard/core';
import {
  cancelRepeatChains,
  cancelTimersForEvent,
  deliveryInputStatusChange,
  getRepeatChain,
  recordAttempt,
  setDeliveryStatus,
  setRepeatChainNext,
  type DeliveryInput,
  type Knex,
} from '@eventyard/db';
import type { DeliveryStatusChange } from '@eventyard/evhub';
import type { DeliveryTask__Output } from '@eventyard/proto';
import { DispatcherErrors } from '../error-codes.ts';
import type { BreakerGate, BreakerPass } from '../breaker/index.ts';
import type { ConcurrencyLimiter, RateLimiter } from '../limits/index.ts';
import type { DispatcherMetrics } from '../metrics.ts';
import type { AttemptOutcome } from '../outcome/index.ts';
import type { ProcessorSettings } from '../processors/processor-settings.ts';
import type { Sender } from '../send/attempt-request.ts';
import { transformDelivery } from '../transform/transform-delivery.ts';
import { eventTimeOf } from '../cloudevents/cloudevent-webhook.ts';
import { nextOccurrenceDue, repeatOccurrenceOf, repeatTimerId, type RepeatOccurrence } from '../repeat/repeat-occurrence.ts';
import { webhookId } from '../send/webhook-signature.ts';
import { recordAttemptDurably } from './attempt-record.ts';
import { decodeDeliveryTask } from './delivery-record.ts';
import { endCallSpan, startCallSpan, startDeliverySpan } from './delivery-span.ts';
import type { HandOff } from './hand-off.ts';
import { attemptOutcomeText, nextStep, type NextStep } from './next-step.ts';
import { abandoned, persist, sleep } from './persist.ts';
import { abortWith } from '../limits/abort-hooks.ts';

/** Lets the consumer cancel a delivery that has not started yet (see ProcessorConsumer's rebalance). */
export interface StartGate {
  /** Aborted once the delivery was cancelled: its waits for a slot, the breaker and a token end. */
  readonly signal: AbortSignal;
  /**
   * Asked when the first attempt holds its slot, breaker pass and token, just before it sends: false
   * when the delivery was cancelled (it then gives up). After a true, it can no longer be cancelled.
   */
  start(): boolean;
}

export interface DeliveryJob {
  dispatcherId: string;
  /** The processor's config now; undefined once it was deleted. */
  settings: () => ProcessorSettings | undefined;
  key: Buffer | null;
  value: Buffer | null;
  slots: ConcurrencyLimiter;
  rate: RateLimiter;
  /** The processor's circuit breaker: an attempt passes it once it holds a slot. @default none */
  breaker?: BreakerGate | undefined;
  signal: AbortSignal;
  /** topic, partition, offset: logged with problems. */
  context: Record<string, unknown>;
  /** The record's `traceparent` header (delivery-span.ts). */
  traceParent?: string | undefined;
  /** Cancels the delivery until it starts. @default never cancelled */
  gate?: StartGate | undefined;
}

export interface DeliveryRunnerOptions {
  knex: Knex;
  handOff: HandOff;
  senders: { grpcSend: Sender; httpSend: Sender };
  metrics: DispatcherMetrics;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
  /**
   * Resolves once the attempt and its delivery's new state are committed (the app group-commits them
   * through an AttemptWriter). @default one recordAttempt transaction per attempt
   */
  recordAttempt?: (attempt: Parameters<typeof recordAttempt>[1]) => Promise<unknown>;
  /** Publishes status changes recorded here outside attempts (a skipped occurrence); must not reject. @default none */
  publishStatus?: (changes: DeliveryStatusChange[]) => Promise<unknown>;
}

export class DeliveryRunner {
  readonly #options: DeliveryRunnerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #recordAttempt: NonNullable<DeliveryRunnerOptions['recordAttempt']>;

  constructor(options: DeliveryRunnerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'delivery' });
    this.#now = options.now ?? Date.now;
    this.#recordAttempt = options.recordAttempt ?? ((attempt) => recordAttempt(options.knex, attempt));
  }

  async deliver(job: DeliveryJob): Promise<void> {
    // Cancelled while it queued behind its key: nothing of it ran.
    if (job.gate?.signal.aborted === true) throw abandoned();
    let task: DeliveryTask__Output;
    try {
      task = decodeDeliveryTask(job.value, job.dispatcherId);
    } catch (err) {
      await this.#skipBadRecord(job, err);
      return;
    }
    const span = startDeliverySpan(job.dispatcherId, task, job.traceParent);
    // Every line logged about this delivery (job.context is spread into each) carries its trace.
    addTraceLogFields(job.context, span);
    try {
      await this.#deliverTask(job, task, span);
    } catch (err) {
      span.fail(err);
      throw err;
    } finally {
      span.end();
    }
  }

  async #deliverTask(job: DeliveryJob, initial: DeliveryTask__Output, span: TraceSpan): Promise<void> {
    let task = initial;
    const occurrence = repeatOccurrenceOf(task, this.#now());
    if (occurrence !== undefined && !(await this.#continueChain(job, task, occurrence, span))) return;
    for (;;) {
      const settings = job.settings();
      if (settings === undefined) throw abandoned();
      const attempt = await this.#attempt(job, settings, task, span);
      // A transform failure is final: the same event fails the same way, so no retries are burnt.
      const step: NextStep = attempt.final ? { status: 'dead' } : nextStep(settings.retry, task.retry_times, attempt.outcome);
      this.#options.metrics.deliveries.inc({ processor: job.dispatcherId, result: step.status === 'scheduled' ? 'retry_scheduled' : step.status });
      if (step.status === 'scheduled' && settings.ordered) {
        // Strict order: keep the key's chain (and this offset) until the delivery succeeds or dies.
        await this.#record(job, task, attempt, step, new Date(this.#now() + step.delayMs));
        await sleep(step.delayMs, job.signal);
        task = { ...task, retry_times: step.retryTimes, pass_back: attempt.outcome.passBack ?? Buffer.alloc(0) };
        continue;
      }
      if (occurrence !== undefined && step.status === 'cancelled') await this.#stopChain(job, task);
      const handedOn = await this.#handOn(job, task, attempt.outcome, step, span);
      await this.#record(job, task, attempt, handedOn.step, handedOn.nextAttemptAt);
      return;
    }
  }

  /**
   * Returns false, having recorded the occurrence `cancelled`, when the processor's chain was cancelled
   * (its next timer may have been in flight when it was). On a first attempt it records and schedules
   * the next occurrence: recording first, as that write is also the check that the chain still runs.
   */
  async #continueChain(job: DeliveryJob, task: DeliveryTask__Output, occurrence: RepeatOccurrence, span: TraceSpan): Promise<boolean> {
    const { knex, handOff, metrics } = this.#options;
    const eventId = task.event_id;
    const dispatcherId = job.dispatcherId;
    const context = { ...job.context, event_id: eventId, dispatcher_id: dispatcherId, repeat_times: occurrence.n };
    const options = (step: string) => ({ signal: job.signal, logger: this.#log, step, context });
    let active: boolean;
    if (task.retry_times === 0) {
      const nextMs = nextOccurrenceDue(occurrence);
      const n = occurrence.n + 1;
      const next = nextMs === undefined ? { next_repeat_times: null, next_due_at: null } : { next_repeat_times: n, next_due_at: new Date(nextMs) };
      active = await persist(() => setRepeatChainNext(knex, { event_id: eventId, dispatcher_id: dispatcherId, ...next }), options('record repeat chain'));
      if (active && nextMs !== undefined) {
        const timerId = repeatTimerId(eventId, dispatcherId, n);
        await persist(
          () => handOff.scheduleRepeat({ task, key: job.key, timerId, repeatTimes: n, dueAt: new Date(nextMs), traceParent: span.traceParent }),
          options('schedule next occurrence'),
        );
      }
    } else {
      const chain = await persist(() => getRepeatChain(knex, eventId, dispatcherId), options('read repeat chain'));
      active = chain === undefined || chain.cancelled_at === null;
    }
    if (active) return true;
    const event = task.event;
    const cancelled: DeliveryInput = {
      event_id: eventId,
      dispatcher_id: dispatcherId,
      app_id: event?.app_id ?? '',
      topic_id: event?.topic_id ?? '',
      status: 'cancelled',
      repeat_times: occurrence.n,
    };
    await persist(() => setDeliveryStatus(knex, cancelled), options('record cancelled occurrence'));
    await this.#options.publishStatus?.([deliveryInputStatusChange(cancelled)]);
    metrics.deliveries.inc({ processor: dispatcherId, result: 'cancelled' });
    this.#log.info(context, 'repeat occurrence skipped: its chain was cancelled');
    return false;
  }

  /** The consumer answered 30000 on an occurrence: no more occurrences for this processor. */
  async #stopChain(job: DeliveryJob, task: DeliveryTask__Output): Promise<void> {
    const { knex } = this.#options;
    const options = {
      signal: job.signal,
      logger: this.#log,
      step: 'cancel repeat chain',
      context: { ...job.context, event_id: task.event_id, dispatcher_id: job.dispatcherId },
    };
    await persist(async () => {
      await cancelRepeatChains(knex, task.event_id, { dispatcherIds: [job.dispatcherId], reason: 'consumer' });
      await cancelTimersForEvent(knex, task.event_id, { dispatcherId: job.dispatcherId });
    }, options);
  }

  async #attempt(
    job: DeliveryJob,
    settings: ProcessorSettings,
    task: DeliveryTask__Output,
    span: TraceSpan,
  ): Promise<{ outcome: AttemptOutcome; startedAt: Date; finishedAt: Date; final?: boolean }> {
    const { signal } = job;
    const { release, pass } = takeTurnAtOnce(job) ?? (await waitForTurn(job));
    // Re-read: the config may have changed while this delivery waited for its slot.
    const current = job.settings() ?? settings;
    const sender = current.protocol === 'httpSend' ? this.#options.senders.httpSend : this.#options.senders.grpcSend;
    const startedAt = new Date(this.#now());
    const started = performance.now();
    const call = startCallSpan(span, current, task);
    let outcome: AttemptOutcome | undefined;
    let final = false;
    try {
      const prepared = await transformDelivery(current.transform, task, job.dispatcherId);
      if (prepared.ok) {
        outcome = await sender.send({
          settings: current,
          req: prepared.req,
          headers: prepared.headers,
          eventTime: eventTimeOf(task.reported_at),
          messageId: webhookId(task.event_id, job.dispatcherId, task.repeat_times),
          traceParent: call.traceParent,
          signal,
        });
      } else {
        outcome = prepared.outcome;
        final = true;
        this.#log.warn(
          { ...job.context, event_id: task.event_id, dispatcher_id: job.dispatcherId, error_code: outcome.errorCode, reason: outcome.errorMessage },
          'transform failed: delivery dead-lettered',
        );
      }
    } finally {
      release();
      // A sender that threw (a bug), an aborted call or a failed transform (never sent) tells nothing about the endpoint.
      if (outcome === undefined || signal.aborted || final) pass?.abandon();
      else pass?.done(outcome);
    }
    endCallSpan(call, outcome);
    const seconds = (performance.now() - started) / 1000;
    if (signal.aborted) throw abandoned();
    const finishedAt = new Date(startedAt.getTime() + Math.round(seconds * 1000));
    const { metrics } = this.#options;
    metrics.attempts.inc({ processor: job.dispatcherId, protocol: current.protocol, outcome: outcome.outcome });
    metrics.attemptSeconds.observe({ processor: job.dispatcherId, protocol: current.protocol }, seconds);
    return { outcome, startedAt, finishedAt, final };
  }

  /**
   * Produces the retry timer or dead letter; returns when the next attempt is due (retries), and the step
   * as it ended: a retry the broker refused as too large was dead-lettered in its place, so it is `dead`.
   */
  async #handOn(
    job: DeliveryJob,
    task: DeliveryTask__Output,
    outcome: AttemptOutcome,
    step: NextStep,
    span: TraceSpan,
  ): Promise<{ step: NextStep; nextAttemptAt: Date | null }> {
    const { handOff, metrics } = this.#options;
    const context = { ...job.context, event_id: task.event_id, dispatcher_id: job.dispatcherId };
    if (outcome.outcome === 'failure') span.fail(outcome.errorMessage ?? String(outcome.errorCode ?? 'failed'));
    if (step.status === 'scheduled') {
      const dueAt = new Date(this.#now() + step.delayMs);
      span.addEvent(SpanEvents.retryScheduled, { 'eventyard.retry_times': step.retryTimes, 'eventyard.due_at': dueAt.toISOString() });
      const timerId = await persist(
        () => handOff.scheduleRetry({ task, key: job.key, retryTimes: step.retryTimes, dueAt, passBack: outcome.passBack, traceParent: span.traceParent }),
        {
          signal: job.signal,
          logger: this.#log,
          step: 'schedule retry',
          context,
        },
      );
      if (timerId === null) {
        span.addEvent(SpanEvents.deadLettered, { 'eventyard.reason': 'retry record too large' });
        metrics.dead.inc({ processor: job.dispatcherId });
        return { step: { status: 'dead' }, nextAttemptAt: null };
      }
      return { step, nextAttemptAt: dueAt };
    }
    if (step.status === 'dead') {
      const attempts = task.retry_times + 1;
      const dead = { ...task, pass_back: outcome.passBack ?? task.pass_back };
      await persist(
        () =>
          handOff.sendDead({
            task: dead,
            key: job.key,
            errorCode: String(outcome.errorCode ?? 'unknown'),
            errorMessage: outcome.errorMessage ?? '',
            attempts,
            traceParent: span.traceParent,
          }),
        { signal: job.signal, logger: this.#log, step: 'dead letter', context },
      );
      metrics.dead.inc({ processor: job.dispatcherId });
      span.addEvent(SpanEvents.deadLettered, { 'eventyard.reason': 'attempts exhausted', 'eventyard.attempts': attempts });
      this.#log.warn({ ...context, attempts, error_code: outcome.errorCode }, 'delivery dead: attempts exhausted');
    }
    return { step, nextAttemptAt: null };
  }

  async #record(
    job: DeliveryJob,
    task: DeliveryTask__Output,
    attempt: { outcome: AttemptOutcome; startedAt: Date; finishedAt: Date },
    step: NextStep,
    nextAttemptAt: Date | null,
  ): Promise<void> {
    const { outcome } = attempt;
    const event = task.event;
    await recordAttemptDurably(
      this.#recordAttempt,
      {
        event_id: task.event_id,
        dispatcher_id: job.dispatcherId,
        app_id: event?.app_id ?? '',
        topic_id: event?.topic_id ?? '',
        trigger: task.trigger_source === 'manual' ? 'manual' : 'auto',
        retry_times: task.retry_times,
        repeat_times: task.repeat_times,
        started_at: attempt.startedAt,
        finished_at: attempt.finishedAt,
        outcome: attemptOutcomeText(outcome),
        error_code: outcome.errorCode ?? null,
        error_message: outcome.errorMessage ?? null,
        response_status: outcome.responseStatus ?? null,
        ret_code: typeof outcome.errorCode === 'number' ? outcome.errorCode : outcome.outcome === 'success' ? 0 : null,
        response_excerpt: outcome.responseExcerpt ?? null,
        delivery_status: step.status,
        next_attempt_at: nextAttemptAt,
        pass_back: outcome.passBack ?? null,
      },
      { signal: job.signal, logger: this.#log, metrics: this.#options.metrics, context: { ...job.context, event_id: task.event_id } },
    );
  }

  async #skipBadRecord(job: DeliveryJob, err: unknown): Promise<void> {
    const code = isEventyardError(err) ? err.code : DispatcherErrors.EY_DISPATCH_BAD_RECORD.code;
    const message = err instanceof Error ? err.message : String(err);
    this.#options.metrics.badRecords.inc({ processor: job.dispatcherId });
    this.#log.error({ err, ...job.context, dispatcher_id: job.dispatcherId }, 'undecodable delivery record skipped (sent to the dead-letter topic)');
    await persist(
      () =>
        this.#options.handOff.sendBadRecord({
          key: job.key,
          value: job.value,
          dispatcherId: job.dispatcherId,
          errorCode: code,
          errorMessage: message.slice(0, 1024),
          traceParent: job.traceParent,
          ...sourceOf(job.context),
        }),
      { signal: job.signal, logger: this.#log, step: 'dead letter (bad record)', context: job.context },
    );
  }
}

/** The record's topic, partition and offset from the job's log context, for the dead letter's headers. */
function sourceOf(context: Record<string, unknown>): { source?: DeadLetterSource } {
  const { topic, partition, offset } = context;
  return typeof topic === 'string' && typeof partition === 'number' && typeof offset === 'string' ? { source: { topic, partition, offset } } : {};
}

/** A delivery's hold on its processor: a concurrency slot, and its breaker pass when it has a breaker. */
interface Turn {
  release: () => void;
  pass: BreakerPass | undefined;
}

/**
 * The usual case: a free slot, a closed breaker and a token at hand, taken at once: no promise per
 * wait, and no linked signal (waitForTurn makes an AbortController and two abort hooks per delivery).
 * Undefined when anything would have to wait (what was taken is given back: nobody queued meanwhile,
 * since nothing else ran) or the delivery was cancelled; waitForTurn then takes its turn as before.
 */
function takeTurnAtOnce(job: DeliveryJob): Turn | undefined {
  const { gate } = job;
  if (job.signal.aborted || gate?.signal.aborted === true) return undefined;
  const release = job.slots.tryAcquire();
  if (release === null) return undefined;
  const pass = job.breaker?.tryEnter();
  if (pass === null) {
    release();
    return undefined;
  }
  if (!job.rate.tryTake() || (gate !== undefined && !gate.start())) {
    pass?.abandon();
    release();
    return undefined;
  }
  return { release, pass };
}

/** Waits for a slot, the breaker and a rate token, in that order; rejects with abandoned() when stopped or cancelled. */
async function waitForTurn(job: DeliveryJob): Promise<Turn> {
  const { signal, gate } = job;
  // A cancelled gate ends the waits too (it never aborts once the delivery started). Linked by hand
  // rather than with AbortSignal.any: `signal` lives as long as the consumer, and every signal
  // AbortSignal.any made from it stayed reachable from it (a soak run grew the dispatcher by ~100 MB a
  // minute); abortWith's hooks are removed once the waits are over.
  const { waits, unlink } = gate === undefined ? { waits: signal, unlink: () => {} } : linkedSignal(signal, gate.signal);
  let release: (() => void) | undefined;
  let pass: BreakerPass | undefined;
  try {
    const slot = await job.slots.acquire({ signal: waits });
    release = slot;
    // An open breaker holds the delivery here, before it takes a rate token or a retry. After the slot,
    // so that what already queued for a slot while the breaker was closed is held too: at most
    // `concurrency` attempts of a processor are ever past this gate when it opens.
    pass = await job.breaker?.enter(waits);
    await job.rate.take({ signal: waits });
    if (gate !== undefined && !gate.start()) throw abandoned();
    return { release: slot, pass };
  } catch (err) {
    pass?.abandon();
    release?.();
    // A closed limiter or an aborted wait: the consumer is stopping, or the delivery was cancelled.
    if (waits.aborted || isEventyardError(err)) throw abandoned();
    throw err;
  } finally {
    unlink();
  }
}

/** A signal that aborts when either does, and the function that detaches it from both (see #attempt). */
function linkedSignal(a: AbortSignal, b: AbortSignal): { waits: AbortSignal; unlink: () => void } {
  const linked = new AbortController();
  const offA = abortWith(linked, a);
  const offB = abortWith(linked, b);
  return {
    waits: linked.signal,
    unlink: () => {
      offA();
      offB();
    },
  };
}
