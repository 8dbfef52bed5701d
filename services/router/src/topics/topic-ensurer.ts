// Makes sure a topic exists before the router produces to it (production Kafka usually has topic
// auto-creation off). Remembers what it has ensured, so the routing hot path costs no admin round trip
// once a processor's delivery topic exists, and shares one admin call among concurrent callers.
import { ensureTopics, type EnsureTopicsOptions, type Logger } from '@eventyard/core';
import type { Kafka } from 'kafkajs';

export interface TopicEnsurerOptions {
  kafka: Kafka;
  /** Partitions, replication factor and min.insync.replicas of the topics it creates. */
  topics: Pick<EnsureTopicsOptions, 'partitions' | 'replicationFactor' | 'minInsyncReplicas'>;
  logger: Logger;
}

export class TopicEnsurer {
  readonly #options: TopicEnsurerOptions;
  readonly #ensured = new Set<string>();
  /** Topics being created right now, with the call creating them. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(options: TopicEnsurerOptions) {
    this.#options = options;
  }

  /** True when `topic` is known to exist. */
  has(topic: string): boolean {
    return this.#ensured.has(topic);
  }

  /** Resolves once every topic exists; rejects when the broker refuses (the caller retries later). */
  async ensure(topics: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const topic of new Set(topics)) {
      if (this.#ensured.has(topic)) continue;
      const pending = this.#pending.get(topic);
      if (pending !== undefined) waits.push(pending);
      else missing.push(topic);
    }
    if (missing.length > 0) {
      const call = ensureTopics(this.#options.kafka, missing, { ...this.#options.topics, logger: this.#options.logger }).then(
        () => {
          for (const topic of missing) {
            this.#ensured.add(topic);
            this.#pending.delete(topic);
          }
          this.#options.logger.debug({ topics: missing }, 'topics ensured');
        },
        (err: unknown) => {
          for (const topic of missing) this.#pending.delete(topic);
          throw err;
        },
      );
      for (const topic of missing) this.#pending.set(topic, call);
      waits.push(call);
    }
    await Promise.all(waits);
  }
}
