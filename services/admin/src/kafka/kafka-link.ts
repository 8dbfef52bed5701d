// The admin service's connection to Kafka, opened on first use: replay and redrive produce delivery
// tasks, the stats route reads consumer lag. Lazy, so the config and history routes (and their tests)
// work with no broker at all, and a broker outage fails only the routes that need it, with a clear error.
import { createKafka, ensureTopics, EventyardError, ManagedProducer, Topics, type EnsureTopicsOptions, type KafkaConfig, type Logger } from '@eventyard/core';
import { StatusPublisher, type StatusChange } from '@eventyard/evhub';
import type { Admin, Kafka, Message, TopicMessages } from 'kafkajs';
import type { Registry } from 'prom-client';
import { AdminErrors } from '../error-codes.ts';

export interface KafkaLink {
  /** Produces records with acks = all through one idempotent producer; resolves once the broker acknowledged them. */
  send(topic: string, messages: Message[]): Promise<void>;
  /** The same for several topics in one send, in the order given (a replay's status changes ahead of its tasks). */
  sendAll(topicMessages: TopicMessages[]): Promise<void>;
  /**
   * Publishes status changes of writes made here (a cancelled schedule) to eventyard.status; never
   * rejects: a failure is logged and counted (StatusPublisher).
   */
  publishStatus(changes: readonly StatusChange[]): Promise<void>;
  /** The kafkajs admin client (connected). */
  admin(): Promise<Admin>;
  close(): Promise<void>;
}

export interface KafkaLinkOptions {
  kafka: KafkaConfig;
  logger: Logger;
  /** Bound on connecting and on each request, so a dead broker gives an error instead of a hang. @default 5000 */
  requestTimeoutMs?: number;
  /** Where the status publisher's counter is registered. */
  registry?: Registry;
  /** How eventyard.status is created when this admin is the first to write to it (EY_TOPIC_*). @default the broker's */
  topics?: Omit<EnsureTopicsOptions, 'logger'>;
}

export function createKafkaLink(options: KafkaLinkOptions): KafkaLink {
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  let kafka: Kafka | undefined;
  let producer: ManagedProducer | undefined;
  let admin: Promise<Admin> | undefined;
  let closed = false;
  const status = new StatusPublisher({ logger: options.logger, timeoutMs, ...(options.registry === undefined ? {} : { registry: options.registry }) });

  const client = (): Kafka => {
    kafka ??= createKafka(options.kafka, {
      clientIdSuffix: 'admin',
      logger: options.logger,
      overrides: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 } },
    });
    return kafka;
  };

  // A failed connect is forgotten, so the next request tries again instead of failing forever.
  const connectOnce = <T extends { connect(): Promise<void> }>(make: () => T, reset: () => void): Promise<T> => {
    if (closed) return Promise.reject(unavailable(new Error('admin is shutting down')));
    const made = make();
    return made.connect().then(
      () => made,
      (err: unknown) => {
        reset();
        throw unavailable(err);
      },
    );
  };

  // The status topic, created once before this admin first writes to it (a failure is forgotten).
  let statusTopic: Promise<void> | undefined;
  const ensureStatusTopic = (): Promise<void> => {
    statusTopic ??= ensureTopics(client(), [Topics.status], { ...options.topics }).catch((err: unknown) => {
      statusTopic = undefined;
      throw unavailable(err, Topics.status);
    });
    return statusTopic;
  };

  // Made on first use; its start() forgets a failed connect, so the next request tries again.
  const getProducer = async (): Promise<ManagedProducer> => {
    if (closed) throw unavailable(new Error('admin is shutting down'));
    // The client's retry bounds: a dead broker fails a request within seconds, not after minutes.
    producer ??= new ManagedProducer({
      kafka: client(),
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
      maxInFlightRequests: 1,
      maxBatchBytes: options.kafka.maxBatchBytes,
    });
    try {
      await producer.start();
    } catch (err) {
      throw unavailable(err);
    }
    return producer;
  };

  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      const connected = await getProducer();
      try {
        // Under EY_KAFKA_MAX_BATCH_BYTES: a replay batch of large events would otherwise be one request the broker refuses.
        await connected.send([{ topic, messages }], { timeoutMs });
      } catch (err) {
        throw unavailable(err, topic);
      }
    },
    async sendAll(topicMessages) {
      if (topicMessages.every((t) => t.messages.length === 0)) return;
      const connected = await getProducer();
      if (topicMessages.some((t) => t.topic === Topics.status && t.messages.length > 0)) await ensureStatusTopic();
      try {
        await connected.send(topicMessages, { timeoutMs });
      } catch (err) {
        throw unavailable(err, topicMessages.map((t) => t.topic).join(', '));
      }
    },
    async publishStatus(changes) {
      if (changes.length === 0) return;
      let connected: ManagedProducer;
      try {
        connected = await getProducer();
        await ensureStatusTopic();
      } catch (err) {
        options.logger.warn({ err, changes: changes.length }, 'status changes recorded in the history but not published');
        return;
      }
      await status.publish(connected, changes);
    },
    admin() {
      admin ??= connectOnce(
        () => client().admin(),
        () => (admin = undefined),
      );
      return admin;
    },
    async close() {
      closed = true;
      await Promise.all([producer?.close(), (await admin?.catch(() => undefined))?.disconnect()]);
    },
  };
}

function unavailable(cause: unknown, topic?: string): EventyardError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  // HTTP 503 (its row): the admin API answers with this message (the broker may come back).
  return new EventyardError(AdminErrors.EY_KAFKA_UNAVAILABLE, `kafka: ${topic === undefined ? '' : `producing to ${topic}: `}${reason}`, {
    cause,
    ...(topic === undefined ? {} : { context: { topic } }),
  });
}
