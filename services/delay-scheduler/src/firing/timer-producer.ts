// Produces fired timers' records to their target topics with one kafkajs idempotent producer (acks = all).
// Each target topic is its own produce request, so a topic that fails (deleted, no leader) does not hold
// back the timers of the others; the caller retries the failed ones.
import { createProducer, EventyardError, type Logger } from '@eventyard/core';
import type { TimerRecord } from '@eventyard/db';
import type { Kafka, Message, Producer } from 'kafkajs';
import { EVENT_ID_HEADER, TIMER_ID_HEADER } from '../intake/schedule-item.ts';

export const PRODUCE_TIMEOUT = 'EY_SCHEDULER_PRODUCE_TIMEOUT';
export const PRODUCE_FAILED = 'EY_SCHEDULER_PRODUCE_FAILED';

export interface ProduceResult {
  sent: TimerRecord[];
  failed: Array<{ timer: TimerRecord; err: unknown }>;
}

export interface TimerProducerOptions {
  kafka: Kafka;
  /** Longest wait for one topic's acknowledgement. */
  timeoutMs: number;
  logger: Logger;
}

export class TimerProducer {
  readonly #producer: Producer;
  readonly #timeoutMs: number;
  #connected = false;
  #state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: TimerProducerOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#producer = createProducer(options.kafka, {
      // Bounded, unlike kafkajs's idempotent default (retry forever): a failed timer is released and
      // retried by the scheduler with its own backoff, so it never waits behind a stuck request.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: Math.max(200, Math.floor(options.timeoutMs / 5)) },
    });
    this.#producer.on(this.#producer.events.CONNECT, () => {
      this.#connected = true;
    });
    this.#producer.on(this.#producer.events.DISCONNECT, () => {
      this.#connected = false;
    });
  }

  get connected(): boolean {
    return this.#connected && this.#state === 'running';
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    await this.#producer.connect();
    this.#state = 'running';
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#producer.disconnect();
  }

  /** Produces every timer's record; resolves with which were acknowledged and which failed. Never rejects. */
  async produce(timers: readonly TimerRecord[]): Promise<ProduceResult> {
    const byTopic = new Map<string, TimerRecord[]>();
    for (const timer of timers) {
      let group = byTopic.get(timer.target_topic);
      if (group === undefined) byTopic.set(timer.target_topic, (group = []));
      group.push(timer);
    }
    const result: ProduceResult = { sent: [], failed: [] };
    await Promise.all(
      [...byTopic].map(async ([topic, group]) => {
        try {
          await this.#send(topic, group);
          result.sent.push(...group);
        } catch (err) {
          for (const timer of group) result.failed.push({ timer, err });
        }
      }),
    );
    return result;
  }

  async #send(topic: string, timers: readonly TimerRecord[]): Promise<void> {
    if (this.#state !== 'running') throw new EventyardError('internal', PRODUCE_FAILED, `producer is ${this.#state}`, { retriable: true });
    const messages: Message[] = timers.map((timer) => ({ key: timer.message_key, value: timer.value, headers: headersOf(timer) }));
    let timeout: NodeJS.Timeout | undefined;
    const sent = this.#producer.send({ topic, messages, acks: -1, timeout: this.#timeoutMs });
    try {
      await Promise.race([
        sent,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () => reject(new EventyardError('timeout', PRODUCE_TIMEOUT, `no acknowledgement from the broker within ${this.#timeoutMs} ms`, { retriable: true, context: { topic } })),
            this.#timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      // A timed-out send may still settle; nobody listens to it any more.
      sent.catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timeout);
    }
  }
}

function headersOf(timer: TimerRecord): Record<string, string> {
  const headers: Record<string, string> = { ...(timer.headers as Record<string, string>) };
  if (timer.event_id !== null) headers[EVENT_ID_HEADER] = String(timer.event_id);
  headers[TIMER_ID_HEADER] = timer.id;
  return headers;
}
