import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2, partitionForKey } from '../src/java-partitioner.ts';

const metadata = (count: number, leaderless: ReadonlySet<number> = new Set()): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.has(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }));

test('murmur2 gives the values of Kafka’s Java murmur2 (Utils.murmur2) for known inputs', () => {
  // Values from Kafka's UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
  const cases: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [text, expected] of cases) assert.equal(murmur2(Buffer.from(text)), expected, text);
});

test('every keyed record lands on the partition kafkajs’s default (Java) partitioner picks', () => {
  const theirs = Partitioners.DefaultPartitioner();
  const ours = JavaCompatiblePartitioner();
  const counts = [1, 2, 3, 7, 12, 50, 64];
  let compared = 0;
  for (let i = 0; i < 20_000; i++) {
    // Every length up to 70 (each remainder mod 4), bytes of every value (≥ 0x80 flips int32 signs), and
    // text keys with multi-byte UTF-8 beside plain ASCII ids.
    const bytes = randomBytes(i % 71);
    const text = i % 3 === 0 ? `evt-${i}-${randomInt(1e9)}` : `ключ-${i}-€-${bytes.toString('hex')}`;
    for (const key of [bytes, text]) {
      const partitionMetadata = metadata(counts[i % counts.length] ?? 1);
      const args = { topic: 't', partitionMetadata, message: { key, value: null } };
      assert.equal(ours(args), theirs(args), `key ${JSON.stringify(key)} on ${partitionMetadata.length} partitions`);
      compared += 1;
    }
  }
  assert.equal(compared, 40_000);
  assert.equal(partitionForKey('order-1', 12), theirs({ topic: 't', partitionMetadata: metadata(12), message: { key: 'order-1', value: null } }));
});

test('a key keeps its partition while that partition has no leader; an explicit partition wins', () => {
  const ours = JavaCompatiblePartitioner();
  const all = metadata(6);
  const key = Buffer.from('order-42');
  const home = ours({ topic: 't', partitionMetadata: all, message: { key, value: null } });
  const withoutLeader = metadata(6, new Set([home]));
  assert.equal(ours({ topic: 't', partitionMetadata: withoutLeader, message: { key, value: null } }), home);
  assert.equal(ours({ topic: 't', partitionMetadata: all, message: { key, value: null, partition: 4 } }), 4);
  assert.equal(ours({ topic: 't', partitionMetadata: all, message: { key, value: null, partition: 0 } }), 0);
});

test('keyless records round-robin over the partitions that have a leader, per topic', () => {
  const ours = JavaCompatiblePartitioner();
  const partitionMetadata = metadata(5, new Set([1, 3]));
  const picks = Array.from({ length: 30 }, () => ours({ topic: 'a', partitionMetadata, message: { value: null } }));
  assert.deepEqual(new Set(picks), new Set([0, 2, 4]), 'only partitions with a leader');
  for (let i = 3; i < picks.length; i++) assert.equal(picks[i], picks[i - 3], 'a fixed rotation');
  const noLeaders = metadata(4, new Set([0, 1, 2, 3]));
  const fallback = ours({ topic: 'b', partitionMetadata: noLeaders, message: { value: null } });
  assert.ok(fallback >= 0 && fallback < 4);
});
