// A processor's consumer lag: per partition of its delivery topic, the end offset less what its
// dispatcher consumer group committed, read through the admin service's Kafka link. Bounded in time,
// so the stats route answers with its Postgres numbers when Kafka is slow or gone.
import { ConsumerGroups, Topics, withDeadline } from '@eventyard/core';
import type { KafkaLink } from '../kafka/kafka-link.ts';

export interface PartitionLag {
  partition: number;
  /** Next offset to be written (high watermark). */
  end: number;
  /** The group's committed offset, or null when it has committed none on this partition. */
  committed: number | null;
  /** Records not yet consumed: end - committed, or end - start when nothing was committed (the dispatcher starts from the beginning). */
  lag: number;
}

export interface ConsumerLag {
  group: string;
  topic: string;
  total: number;
  partitions: PartitionLag[];
}

/** @default timeoutMs 3000 */
export async function readConsumerLag(kafka: KafkaLink, dispatcherId: string, timeoutMs = 3000): Promise<ConsumerLag> {
  const topic = Topics.deliveries(dispatcherId);
  const group = ConsumerGroups.dispatcher(dispatcherId);
  const work = (async () => {
    const admin = await kafka.admin();
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
    const committedBy = new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const partitions = ends
      .map((p): PartitionLag => {
        const end = Number(p.high);
        const done = committedBy.get(p.partition);
        const at = done === undefined || done < 0 ? null : done;
        return { partition: p.partition, end, committed: at, lag: Math.max(0, end - (at ?? Number(p.low))) };
      })
      .sort((a, b) => a.partition - b.partition);
    return { group, topic, total: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
  })();
  // The request goes on after the deadline (kafkajs cannot cancel it).
  return withDeadline(work, timeoutMs, () => new Error(`kafka: no answer within ${timeoutMs} ms`));
}
