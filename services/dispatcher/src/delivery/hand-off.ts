// Hands a delivery on through Kafka: a retry becomes a timer on `eventyard.schedule` (the delay-scheduler
// produces it back to the delivery topic when due — the dispatcher never sleeps), an exhausted delivery
// goes to `eventyard.dead`, and so does an undecodable record, as it was. One idempotent producer
// (acks = all) serves every processor; a send resolves only once the broker acknowledged it.
import {
  CoreErrors,
  deadLetterMessage,
  EventyardError,
  ManagedProducer,
  textHeaders,
  Topics,
  withTraceParent,
  type DeadLetterSource,
  type Logger,
} from '@eventyard/core';
import { APP_ID_HEADER } from '@eventyard/evhub';
import { encodeMessage, type DeliveryTask__Output } from '@eventyard/proto';
import type { Kafka } from 'kafkajs';
import { DispatcherErrors } from '../error-codes.ts';

export const EVENT_ID_HEADER = 'ey-event-id';

export interface RetryHandOff {
  task: DeliveryTask__Output;
  /** Key of the delivery record (orderingKey or event_id), kept so the retry lands on the same partition. */
  key: Buffer | null;
  /** `retry_times` of the next attempt. */
  retryTimes: number;
  dueAt: Date;
  passBack: Buffer | undefined;
  /** The failed attempt's span: the retry's span links to it (its record's `traceparent` header). */
  traceParent?: string;
}

export interface RepeatHandOff {
  task: DeliveryTask__Output;
  key: Buffer | null;
  /** Timer id of the next occurrence (`rep:<event_id>:<dispatcher_id>:<n>`). */
  timerId: string;
  /** `repeat_times` of the next occurrence. */
  repeatTimes: number;
  dueAt: Date;
  /** The scheduling attempt's span: the occurrence's span links to it. */
  traceParent?: string;
}

export interface DeadHandOff {
  task: DeliveryTask__Output;
  key: Buffer | null;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  /** The dead delivery's span: the dead letter's `traceparent` header, so it can be found from its trace. */
  traceParent?: string;
}

export class HandOff {
  readonly #producer: ManagedProducer;
  readonly #timeoutMs: number;
  readonly #log: Logger;

  constructor(options: { kafka: Kafka; timeoutMs: number; logger: Logger }) {
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.logger.child({ component: 'hand-off' });
    this.#producer = new ManagedProducer({
      kafka: options.kafka,
      // Bounded (kafkajs's idempotent default retries forever): the caller retries with its own backoff.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      errors: {
        timeout: ({ topics, timeoutMs }) =>
          new EventyardError(DispatcherErrors.EY_DISPATCH_HAND_OFF_TIMEOUT, `no acknowledgement from ${topics.join(', ')} within ${timeoutMs} ms`),
      },
    });
  }

  get connected(): boolean {
    return this.#producer.connected;
  }

  /** The producer itself, for the status changes published beside the history (StatusPublisher). */
  get producer(): ManagedProducer {
    return this.#producer;
  }

  start(): Promise<void> {
    return this.#producer.start();
  }

  close(): Promise<void> {
    return this.#producer.close();
  }

  /** The timer id of a retry: deterministic, so a record handled twice schedules one timer. */
  static retryTimerId(task: DeliveryTask__Output, retryTimes: number): string {
    return `retry:${task.event_id}:${task.dispatcher_id}:${task.repeat_times}:${retryTimes}`;
  }

  /**
   * Produces the retry's ScheduleItem to `eventyard.schedule`; resolves to its timer id, or to null when
   * the broker refused it as too large and it went to `eventyard.dead` instead (the delivery then ends
   * dead: no timer will fire for it).
   */
  async scheduleRetry(retry: RetryHandOff): Promise<string | null> {
    const { task } = retry;
    const timerId = HandOff.retryTimerId(task, retry.retryTimes);
    const dueAt = timestamp(retry.dueAt);
    // `...task` keeps trigger_source: a retry of a manual replay stays `manual`. The operator started this
    // run of attempts (retry_times, counted from the replay's 0, tell its retries apart in the history),
    // and the flag keeps the replay out of repeat-chain handling: as `auto`, a retry of a replayed repeat
    // occurrence would be checked against the chain and dropped as `cancelled` when the chain was stopped.
    const next = encodeMessage('eventyard.v1.DeliveryTask', {
      ...task,
      retry_times: retry.retryTimes,
      pass_back: retry.passBack ?? Buffer.alloc(0),
      scheduled_for: dueAt,
    });
    const item = encodeMessage('eventyard.v1.ScheduleItem', {
      timer_id: timerId,
      due_at: dueAt,
      target_topic: Topics.deliveries(task.dispatcher_id),
      key: retry.key ?? Buffer.from(task.event_id, 'utf8'),
      value: next,
      kind: 'retry',
    });
    const sent = await this.#send(Topics.schedule, {
      key: Buffer.from(timerId, 'utf8'),
      value: item,
      headers: withTraceParent({ [EVENT_ID_HEADER]: task.event_id }, retry.traceParent),
    });
    return sent ? timerId : null;
  }

  /** Produces the next occurrence of a repeat chain as a ScheduleItem: a fresh first attempt, due at `dueAt`. */
  async scheduleRepeat(repeat: RepeatHandOff): Promise<void> {
    const { task } = repeat;
    const dueAt = timestamp(repeat.dueAt);
    const next = encodeMessage('eventyard.v1.DeliveryTask', {
      ...task,
      retry_times: 0,
      repeat_times: repeat.repeatTimes,
      pass_back: Buffer.alloc(0),
      scheduled_for: dueAt,
      trigger_source: 'auto',
    });
    const item = encodeMessage('eventyard.v1.ScheduleItem', {
      timer_id: repeat.timerId,
      due_at: dueAt,
      target_topic: Topics.deliveries(task.dispatcher_id),
      key: repeat.key ?? Buffer.from(task.event_id, 'utf8'),
      value: next,
      kind: 'repeat',
    });
    // The app header lets the producer count a repeat's pending timer against its app (EY_MAX_PENDING_TIMERS_PER_APP).
    const headers: Record<string, string> = { [EVENT_ID_HEADER]: task.event_id };
    if (task.event?.app_id) headers[APP_ID_HEADER] = task.event.app_id;
    await this.#send(Topics.schedule, { key: Buffer.from(repeat.timerId, 'utf8'), value: item, headers: withTraceParent(headers, repeat.traceParent) });
  }

  /** Produces the exhausted task to `eventyard.dead` with why it died. */
  async sendDead(dead: DeadHandOff): Promise<void> {
    await this.#send(Topics.dead, {
      key: dead.key,
      value: encodeMessage('eventyard.v1.DeliveryTask', dead.task),
      headers: withTraceParent(
        {
          [EVENT_ID_HEADER]: dead.task.event_id,
          'ey-dispatcher-id': dead.task.dispatcher_id,
          'ey-error-code': dead.errorCode,
          'ey-error-message': dead.errorMessage,
          'ey-attempts': String(dead.attempts),
        },
        dead.traceParent,
      ),
    });
  }

  /**
   * Produces an undecodable delivery record to `eventyard.dead` unchanged, so it can be inspected, with
   * the dead-letter headers every stage writes (the reason, and where it was read when known).
   */
  async sendBadRecord(record: {
    key: Buffer | null;
    value: Buffer | null;
    dispatcherId: string;
    errorCode: string;
    errorMessage: string;
    source?: DeadLetterSource;
    /** The record's own `traceparent` header, kept on its dead letter. */
    traceParent?: string | undefined;
  }): Promise<void> {
    await this.#send(
      Topics.dead,
      deadLetterMessage({
        key: record.key,
        value: record.value,
        headers: { 'ey-dispatcher-id': record.dispatcherId },
        code: record.errorCode,
        reason: record.errorMessage,
        traceParent: record.traceParent,
        ...(record.source === undefined ? {} : { source: record.source }),
      }),
    );
  }

  /**
   * A record the broker refuses as too large for its topic (a retry carrying a large pass_back, a dead
   * letter of a large task) would fail the same way on every try: it goes to `eventyard.dead` as a dead
   * letter without its value (EY_RECORD_TOO_LARGE, the size in a header) instead of into a retry loop
   * that stalls the processor's partition. The event's payload stays in its history row.
   */
  async #send(topic: string, message: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }): Promise<boolean> {
    let sentAsIs = true;
    await this.#producer.send([{ topic, messages: [message] }], {
      timeoutMs: this.#timeoutMs,
      onTooLarge: (refusedTopic, refused, err) => {
        const headers = textHeaders(refused.headers);
        const eventId = headers[EVENT_ID_HEADER];
        const value = refused.value === null || refused.value === undefined ? null : Buffer.from(refused.value);
        sentAsIs = false;
        this.#log.error(
          { err, topic: refusedTopic, event_id: eventId, bytes: value?.length ?? 0 },
          'record too large for its topic: dead-lettered without its value',
        );
        const letter = deadLetterMessage({
          key: refused.key === null || refused.key === undefined ? null : Buffer.from(refused.key),
          value,
          dropValue: true,
          headers: { ...headers, 'ey-refused-topic': refusedTopic },
          ...(eventId === undefined ? {} : { eventId }),
          code: CoreErrors.EY_RECORD_TOO_LARGE.code,
          reason: `a record for ${refusedTopic} is larger than the topic accepts (${value?.length ?? 0} bytes of value)`,
        });
        return { topic: Topics.dead, message: letter };
      },
    });
    return sentAsIs;
  }
}

function timestamp(date: Date): { seconds: string; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
