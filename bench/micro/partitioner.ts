// CPU of picking a record's partition, as every producer does once per record inside kafkajs's
// sendBatch: kafkajs's default (Java) partitioner, whose murmur2 runs on its 64-bit Long class, against
// ours (packages/core/src/java-partitioner.ts: the same partitions, 32-bit arithmetic), beside a floor
// (a loop that only reads the key's first byte). Keys are what the services send: 19-digit event ids
// as Buffers, 12 partitions. Variants alternate in one process, three passes (read the last, warmed up).
//   node bench/micro/partitioner.ts [records=200000]
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { JavaCompatiblePartitioner } from '@eventyard/core';

const RECORDS = Number(process.argv[2] ?? 200_000);
const partitionMetadata: PartitionMetadata[] = Array.from({ length: 12 }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 0,
  replicas: [0],
  isr: [0],
  offlineReplicas: [],
}));
const keys = Array.from({ length: 1024 }, (_, i) => Buffer.from(String(7_000_000_000_000_000_000n + BigInt(i * 7919))));

type PickPartition = ReturnType<typeof JavaCompatiblePartitioner>;

const variants: Array<{ name: string; partitioner: PickPartition | undefined }> = [
  { name: 'floor: read the key', partitioner: undefined },
  { name: 'kafkajs DefaultPartitioner', partitioner: Partitioners.DefaultPartitioner() },
  { name: 'JavaCompatiblePartitioner (ours)', partitioner: JavaCompatiblePartitioner() },
];

function run(partitioner: PickPartition | undefined): number {
  let sum = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < RECORDS; i++) {
    const key = keys[i & 1023] ?? Buffer.alloc(0);
    sum += partitioner === undefined ? (key[0] ?? 0) % 12 : partitioner({ topic: 'eventyard.deliveries', partitionMetadata, message: { key, value: null } });
  }
  const used = process.cpuUsage(started);
  if (sum < 0) throw new Error('unreachable');
  return ((used.user + used.system) * 1000) / RECORDS;
}

for (let pass = 1; pass <= 3; pass++) {
  const line = variants.map(({ name, partitioner }) => `${name} ${run(partitioner).toFixed(0)} ns`).join(' | ');
  console.log(`pass ${pass}: ${line} (per record, ${RECORDS} records)`);
}
