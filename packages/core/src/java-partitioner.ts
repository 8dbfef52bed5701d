// Kafka's Java default partitioner (a keyed record goes to murmur2(key) & 0x7fffffff modulo the topic's
// partition count; a record without a key round-robins over the partitions that have a leader), given to
// every kafkajs producer through `createPartitioner`.
//
// Written here rather than taken from kafkajs (`Partitioners.DefaultPartitioner`, which computes the same
// partitions) because kafkajs's murmur2 multiplies through its 64-bit `Long` class, five objects and their
// arithmetic per four bytes of key, and its partitioner filters the partition list for every record, even
// keyed ones that never read the result: 3–6 % of the router's busy time at 1,000 events/s
// (bench/profiles/). murmur2 is 32-bit integer arithmetic in Java, which `Math.imul` and the 32-bit
// operators are exactly; `packages/core/test/java-partitioner.test.ts` checks every partition against
// kafkajs's own partitioner over keys of every length and byte value.
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import { randomInt } from 'node:crypto';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`) of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
    if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
    h ^= data[whole] ?? 0;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's Java clients (and kafkajs's default partitioner) give `key` among `partitions`. */
export function partitionForKey(key: Buffer | string, partitions: number): number {
  return (murmur2(typeof key === 'string' ? Buffer.from(key) : key) & 0x7fffffff) % partitions;
}

/**
 * kafkajs's `createPartitioner` for Kafka's Java default: an explicit `partition` wins; a key picks its
 * murmur2 partition among all of the topic's partitions (available or not, as Java does, so a key never
 * moves while a leader is away); a keyless record takes the next partition with a leader, per topic
 * from a random start.
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) return partitionForKey(key, partitionMetadata.length);
    const next = ((counters.get(topic) ?? randomInt(0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[next % available.length]?.partitionId ?? 0;
    return next % partitionMetadata.length;
  };
};
