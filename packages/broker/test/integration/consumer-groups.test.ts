// Consumer groups through kafkajs: three members share a 6-partition topic, a fourth joins and one
// leaves; every record is consumed exactly once, because each rebalance is triggered only after the
// previous phase was consumed and committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, Kafka } from 'kafkajs';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';

const PARTITIONS = 6;

interface Member {
  name: string;
  consumer: Consumer;
  assignment: number[];
}

test('3 members on 6 partitions rebalance when one joins and one leaves, no record lost or consumed twice', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const client = kafka();
  const topic = randomName('groups');
  const groupId = randomName('group');
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());

  const seen = new Map<string, string[]>();
  const members: Member[] = [];
  const startMember = async (kafkaClient: Kafka, name: string): Promise<Member> => {
    const consumer = kafkaClient.consumer({ groupId, ...FAST_CONSUMER });
    const member: Member = { name, consumer, assignment: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      member.assignment = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    defer(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.value?.toString() ?? '';
        seen.set(id, [...(seen.get(id) ?? []), name]);
      },
    });
    members.push(member);
    return member;
  };

  /** Waits until the live members split all partitions between them, each partition once. */
  const balanced = async (live: Member[]) =>
    waitFor(
      `assignment over ${live.map((m) => m.name).join(',')}`,
      () => {
        const all = live.flatMap((m) => m.assignment).sort((a, b) => a - b);
        const sizes = live.map((m) => m.assignment.length);
        return all.join() === [...Array(PARTITIONS).keys()].join() && Math.max(...sizes) - Math.min(...sizes) <= 1;
      },
      30_000,
    );

  let next = 0;
  /** Produces a phase of records over every partition and waits until all are consumed and committed. */
  const phase = async (count: number) => {
    const ids = Array.from({ length: count }, () => `r${next++}`);
    await producer.send({ topic, messages: ids.map((id, i) => ({ value: id, partition: i % PARTITIONS })) });
    await waitFor('phase consumed', () => ids.every((id) => seen.has(id)), 30_000);
    const latest = await admin.fetchTopicOffsets(topic);
    await waitFor(
      'offsets committed',
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
        return latest.every((p) => byPartition.get(p.partition) === p.offset);
      },
      30_000,
    );
  };

  const [m1, m2, m3] = [await startMember(client, 'm1'), await startMember(client, 'm2'), await startMember(client, 'm3')];
  await balanced([m1, m2, m3]);
  await phase(120);

  const m4 = await startMember(kafka(), 'm4');
  await balanced([m1, m2, m3, m4]);
  await phase(120);

  await m1.consumer.disconnect();
  await balanced([m2, m3, m4]);
  await phase(120);

  assert.equal(seen.size, next, 'every record consumed');
  const twice = [...seen].filter(([, by]) => by.length > 1);
  assert.deepEqual(twice, [], 'no record consumed twice');
  // The newcomer took part: it consumed records of the later phases.
  assert.ok([...seen.values()].some((by) => by.includes('m4')));
  const described = await admin.describeGroups([groupId]);
  assert.equal(described.groups[0]?.state, 'Stable');
  assert.equal(described.groups[0]?.members.length, 3);
  assert.equal(members.length, 4);
});
