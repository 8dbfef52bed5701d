// kafkajs admin against the broker: topics, partitions, metadata, offsets (by time too), group offsets,
// group listing/description/deletion and configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';

// A CommonJS getter that Node's named-export detection does not see.
const { ConfigResourceTypes } = kafkajs;

test('topics: create (existing → false), metadata, add partitions, delete', async (t) => {
  const { kafka, defer, broker } = await createBroker(t);
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const topic = randomName('admin');
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), false);
  assert.ok((await admin.listTopics()).includes(topic));

  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.deepEqual(metadata.topics[0]?.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(), [
    [0, 0, [0], [0]],
    [1, 0, [0], [0]],
  ]);
  const cluster = await admin.describeCluster();
  assert.equal(cluster.controller, 0);
  assert.deepEqual(cluster.brokers, [{ nodeId: 0, host: '127.0.0.1', port: broker.port }]);

  await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
  assert.equal((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length, 5);
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), /partitions/i);

  const creationError = (type: string) => (err: Error & { errors?: Array<{ type?: string }> }) => err.errors?.[0]?.type === type;
  await assert.rejects(admin.createTopics({ topics: [{ topic: randomName('rf'), replicationFactor: 3 }] }), creationError('INVALID_REPLICATION_FACTOR'));
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad name!' }] }), creationError('INVALID_TOPIC_EXCEPTION'));
  const dry = randomName('dry');
  assert.equal(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: dry }] }), true);
  assert.ok(!(await admin.listTopics()).includes(dry), 'validate_only creates nothing');

  await admin.deleteTopics({ topics: [topic] });
  assert.ok(!(await admin.listTopics()).includes(topic));
});

test('offsets: latest/earliest, by timestamp, group offsets set/reset/fetch, groups list/describe/delete', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const client = kafka();
  const admin = client.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const topic = randomName('offsets');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  const base = Date.now() - 60_000;
  await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `early-${i}`, timestamp: String(base + i) })) });
  await producer.send({ topic, messages: [3, 4].map((i) => ({ value: `late-${i}`, timestamp: String(base + 30_000 + i) })) });

  assert.deepEqual(await admin.fetchTopicOffsets(topic), [{ partition: 0, offset: '5', high: '5', low: '0' }]);
  assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp(topic, base + 10_000), [{ partition: 0, offset: '3' }]);
  assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp(topic, base), [{ partition: 0, offset: '0' }]);
  // After the last record: Kafka answers -1, kafkajs maps it to the latest offset.
  const future = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() + 60_000);
  assert.ok(future[0]?.offset === '5' || future[0]?.offset === '-1');

  const groupId = randomName('admin-group');
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
  assert.deepEqual(await admin.fetchOffsets({ groupId, topics: [topic] }), [{ topic, partitions: [{ partition: 0, offset: '2', metadata: null }] }]);
  // kafkajs resets by committing the logical offset -1 (latest; -2 for earliest), as Kafka stores it.
  // (Each setOffsets/resetOffsets idles a paused kafkajs consumer for its 5 s max wait: keep them few.)
  await admin.resetOffsets({ groupId, topic, earliest: false });
  assert.equal((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset, '-1');
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });

  // A live consumer group: listed, described as Stable with its member, not deletable until it leaves.
  const consumer = client.consumer({ groupId, ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic });
  const consumed: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      consumed.push(message.value?.toString() ?? '');
    },
  });
  await waitFor('consume from the committed offset', () => consumed.length === 4);
  assert.equal(consumed[0], 'early-1');
  const listed = await admin.listGroups();
  assert.ok(listed.groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'));
  await waitFor('group stable', async () => (await admin.describeGroups([groupId])).groups[0]?.state === 'Stable');
  const described = (await admin.describeGroups([groupId])).groups[0];
  assert.equal(described?.protocol, 'RoundRobinAssigner');
  assert.equal(described?.members.length, 1);
  assert.equal(described?.members[0]?.clientId, 'eventyard-test');
  await assert.rejects(admin.deleteGroups([groupId]), (err: Error & { groups?: Array<{ errorCode: number }> }) => err.groups?.[0]?.errorCode === 68);
  await consumer.disconnect();
  const deleted = await admin.deleteGroups([groupId]);
  assert.deepEqual(
    deleted.map((g) => [g.groupId, g.errorCode]),
    [[groupId, 0]],
  );
  assert.equal((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset, '-1');
  assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === groupId));
});

test('describeConfigs for a topic (defaults and overrides) and for the broker', async (t) => {
  const { kafka, defer } = await createBroker(t);
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const topic = randomName('configs');
  await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  const topicConfigs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  const entries = topicConfigs.resources[0]?.configEntries ?? [];
  assert.equal(entries.find((e) => e.configName === 'retention.ms')?.configValue, '3600000');
  assert.equal(entries.find((e) => e.configName === 'retention.ms')?.isDefault, false);
  assert.equal(entries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'delete');

  const only = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['segment.bytes'] }],
  });
  assert.deepEqual(
    only.resources[0]?.configEntries.map((e) => e.configName),
    ['segment.bytes'],
  );

  const broker = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }] });
  const brokerEntries = new Map(broker.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]));
  assert.equal(brokerEntries.get('broker.id'), '0');
  assert.equal(brokerEntries.get('default.replication.factor'), '1');
  assert.equal(brokerEntries.get('auto.create.topics.enable'), 'true');
});
