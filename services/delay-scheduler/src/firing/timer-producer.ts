// Produces fired timers' records to their target topics with one kafkajs idempotent producer (acks = all).
// Each target topic is its own run of produce requests (split under EY_KAFKA_MAX_BATCH_BYTES), so a
// topic that fails (deleted, no leader) does not hold back the timers of the others; the caller retries
// the failed ones. A timer whose record is too large for Kafka (by estimate, or refused by the broker)
// is not retried forever: it is dead-lettered, its event marked `rejected`, and it counts as fired.
import {
  DeadLetterCodes,
  deadLetterMessage,
  estimateRecordBytes,
  EventyardError,
  ManagedProducer,
  textHeaders,
  Topics,
  traceIdOf,
  traceParentFromHeaders,
  type Logger,
} from '@eventyard/core';
import type { TimerRecord } from '@eventyard/db';
import type { Kafka, Message } from 'kafkajs';
import { SchedulerErrors } from '../error-codes.ts';
import { EVENT_ID_HEADER, TIMER_ID_HEADER } from '../intake/schedule-item.ts';
import type { RejectedRecord, RejectedRecords } from '../rejects/rejected-records.ts';
import { endFireSpans, startFireSpan } from './fire-span.ts';

export interface ProduceResult {
  sent: TimerRecord[];
  failed: Array<{ timer: TimerRecord; err: unknown }>;
}

export interface TimerProducerOptions {
  kafka: Kafka;
  /** Longest wait for one topic's acknowledgement. */
  timeoutMs: number;
  /** Largest produce request (EY_KAFKA_MAX_BATCH_BYTES). @default DEFAULT_MAX_BATCH_BYTES */
  maxBatchBytes?: number;
  /** The producer's linger (EY_KAFKA_LINGER_MS). @default 0 */
  lingerMs?: number;
  /** Where a timer too large to produce goes; without it such a timer fails like any other. */
  rejects?: RejectedRecords;
  logger: Logger;
}

export class TimerProducer {
  readonly #producer: ManagedProducer;
  readonly #timeoutMs: number;
  readonly #maxBatchBytes: number;
  readonly #rejects: RejectedRecords | undefined;
  readonly #log: Logger;

  constructor(options: TimerProducerOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#rejects = options.rejects;
    this.#log = options.logger.child({ component: 'timer-producer' });
    this.#producer = new ManagedProducer({
      kafka: options.kafka,
      // Bounded, unlike kafkajs's idempotent default (retry forever): a failed timer is released and
      // retried by the scheduler with its own backoff, so it never waits behind a stuck request.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: Math.max(200, Math.floor(options.timeoutMs / 5)) },
      ...(options.maxBatchBytes === undefined ? {} : { maxBatchBytes: options.maxBatchBytes }),
      ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
      errors: {
        timeout: ({ topics, timeoutMs }) =>
          new EventyardError(SchedulerErrors.EY_SCHEDULER_PRODUCE_TIMEOUT, `no acknowledgement from the broker within ${timeoutMs} ms`, {
            context: { topic: topics.join(', ') },
          }),
        notRunning: (state) => new EventyardError(SchedulerErrors.EY_SCHEDULER_PRODUCE_FAILED, `producer is ${state}`),
      },
    });
    this.#maxBatchBytes = this.#producer.maxBatchBytes;
  }

  /** The idempotent producer, for dead letters sent alongside the timers. */
  get sender(): ManagedProducer {
    return this.#producer;
  }

  get connected(): boolean {
    return this.#producer.connected;
  }

  start(): Promise<void> {
    return this.#producer.start();
  }

  close(): Promise<void> {
    return this.#producer.close();
  }

  /** Produces every timer's record; resolves with which were acknowledged and which failed. Never rejects. */
  async produce(timers: readonly TimerRecord[]): Promise<ProduceResult> {
    const result: ProduceResult = { sent: [], failed: [] };
    const byTopic = new Map<string, TimerRecord[]>();
    const tooLarge: TimerRecord[] = [];
    for (const timer of timers) {
      if (this.#rejects !== undefined && estimateRecordBytes(messageOf(timer)) > this.#maxBatchBytes) {
        tooLarge.push(timer);
        continue;
      }
      let group = byTopic.get(timer.target_topic);
      if (group === undefined) byTopic.set(timer.target_topic, (group = []));
      group.push(timer);
    }
    const jobs = [...byTopic].map(async ([topic, group]) => {
      const now = Date.now();
      const spans = group.map((timer) => startFireSpan(timer, now));
      try {
        const refused = await this.#send(topic, group);
        if (refused.length > 0) await this.#rejects?.recordOnly(refused.map((r) => r.rejection));
        result.sent.push(...group);
        endFireSpans(spans);
      } catch (err) {
        endFireSpans(spans, err);
        for (const timer of group) result.failed.push({ timer, err });
      }
    });
    if (tooLarge.length > 0) jobs.push(this.#rejectTooLarge(tooLarge, result));
    await Promise.all(jobs);
    return result;
  }

  async #rejectTooLarge(timers: readonly TimerRecord[], result: ProduceResult): Promise<void> {
    try {
      const reason = (timer: TimerRecord): string =>
        `the record for ${timer.target_topic} is about ${estimateRecordBytes(messageOf(timer))} bytes, over the limit of ${this.#maxBatchBytes} bytes (EY_KAFKA_MAX_BATCH_BYTES)`;
      await this.#rejects?.reject(timers.map((timer) => rejectionOf(timer, reason(timer))));
      for (const timer of timers)
        this.#log.warn(
          { timerId: timer.id, event_id: timer.event_id, trace_id: traceIdOf(traceParentFromHeaders(timer.headers)), topic: timer.target_topic },
          'timer too large to produce: rejected to the dead-letter topic',
        );
      result.sent.push(...timers);
    } catch (err) {
      for (const timer of timers) result.failed.push({ timer, err });
    }
  }

  /** Sends one topic's timers; returns those the broker refused as too large (already replaced by dead letters). */
  async #send(topic: string, timers: readonly TimerRecord[]): Promise<Array<{ timer: TimerRecord; rejection: RejectedRecord }>> {
    const byId = new Map(timers.map((timer) => [timer.id, timer]));
    const refused: Array<{ timer: TimerRecord; rejection: RejectedRecord }> = [];
    await this.#producer.send([{ topic, messages: timers.map(messageOf) }], {
      timeoutMs: this.#timeoutMs,
      ...(this.#rejects === undefined
        ? {}
        : {
            onTooLarge: (_topic: string, message: Message, err: unknown) => {
              const timer = byId.get(textHeaders(message.headers)[TIMER_ID_HEADER] ?? '');
              if (timer === undefined) throw err;
              const rejection = rejectionOf(
                timer,
                `the broker refused the record for ${topic} as too large (${err instanceof Error ? err.message : String(err)})`,
              );
              refused.push({ timer, rejection });
              return { topic: Topics.dead, message: deadLetterMessage(rejection) };
            },
          }),
    });
    return refused;
  }
}

function messageOf(timer: TimerRecord): Message {
  return { key: timer.message_key, value: timer.value, headers: headersOf(timer) };
}

/** A too-large timer's dead letter: its key and headers (the value is left out), and its event. */
function rejectionOf(timer: TimerRecord, reason: string): RejectedRecord {
  return {
    key: timer.message_key,
    value: timer.value,
    headers: headersOf(timer),
    code: DeadLetterCodes.recordTooLarge,
    reason,
    eventId: timer.event_id === null ? null : String(timer.event_id),
    targetTopic: timer.target_topic,
    innerValue: timer.value,
    dropValue: true,
  };
}

function headersOf(timer: TimerRecord): Record<string, string> {
  const headers: Record<string, string> = { ...timer.headers };
  if (timer.event_id !== null) headers[EVENT_ID_HEADER] = String(timer.event_id);
  headers[TIMER_ID_HEADER] = timer.id;
  return headers;
}
