// ensureTopics (packages/core/src/topic-admin.ts) against the project's broker: the creation race two
// services run at every start is no failure, and a topic weaker than EY_KAFKA_REPLICATION_FACTOR /
// EY_KAFKA_MIN_INSYNC_REPLICAS is reported at start, naming the topic, and a topic the cluster refuses to create
// fails the start with its own reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, durabilityProblem, ensureTopics, type Logger } from '@eventyard/core';
import { startTestBroker } from '@eventyard/broker/testing';

function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ name: 'durability-test', level: 'warn', destination });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

async function withBroker(t: { after: (fn: () => Promise<void>) => void }): Promise<Kafka> {
  const broker = await startTestBroker();
  t.after(() => broker.close());
  return new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
}

test('durabilityProblem names the setting a topic falls short of', () => {
  assert.match(
    durabilityProblem({ topic: 't', replicationFactor: 1, minInsyncReplicas: 1 }, { replicationFactor: 3, minInsyncReplicas: 2 }) ?? '',
    /1 replica\(s\), fewer than EY_KAFKA_REPLICATION_FACTOR=3/,
  );
  assert.match(
    durabilityProblem({ topic: 't', replicationFactor: 3, minInsyncReplicas: 1 }, { replicationFactor: 3, minInsyncReplicas: 2 }) ?? '',
    /min.insync.replicas=1, lower than EY_KAFKA_MIN_INSYNC_REPLICAS=2/,
  );
  assert.equal(durabilityProblem({ topic: 't', replicationFactor: 3, minInsyncReplicas: 2 }, { replicationFactor: 3, minInsyncReplicas: 2 }), null);
  // Nothing configured and one copy: acks=all means one copy, which is worth a warning.
  assert.match(
    durabilityProblem({ topic: 't', replicationFactor: 1, minInsyncReplicas: 1 }, { replicationFactor: -1 }) ?? '',
    /1 replica, so an acknowledged write is one copy/,
  );
  // One copy asked for on purpose (the embedded broker): quiet.
  assert.equal(durabilityProblem({ topic: 't', replicationFactor: 1, minInsyncReplicas: 1 }, { replicationFactor: 1, minInsyncReplicas: 1 }), null);
});

test('two services ensuring the same topics at the same moment both succeed', async (t) => {
  const kafka = await withBroker(t);
  const topics = ['race.a', 'race.b', 'race.c'];
  const results = await Promise.allSettled(Array.from({ length: 4 }, () => ensureTopics(kafka, topics, { partitions: 2, replicationFactor: 1 })));
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
    JSON.stringify(results),
  );
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  assert.deepEqual(
    metadata.map((m) => m.partitions.length),
    [2, 2, 2],
  );
});

test('a topic created with min.insync.replicas carries it, and matching settings log nothing', async (t) => {
  const kafka = await withBroker(t);
  const { logger, lines } = capturingLogger();
  await ensureTopics(kafka, ['durable.ok'], { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1, logger });
  assert.deepEqual(lines(), []);
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'durable.ok', configNames: ['min.insync.replicas'] }] });
  assert.equal(described.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue, '1');
});

test('an existing topic weaker than configured is reported at start, naming the topic', async (t) => {
  const kafka = await withBroker(t);
  // Made before, by hand or an older install, with one copy.
  await ensureTopics(kafka, ['eventyard.ingest', 'eventyard.schedule'], { partitions: 1 });
  const { logger, lines } = capturingLogger();
  await ensureTopics(kafka, ['eventyard.ingest', 'eventyard.schedule'], { partitions: 1, replicationFactor: 3, minInsyncReplicas: 2, logger });
  const warned = lines().filter((l) => l.level === 40);
  assert.deepEqual(warned.map((l) => l.topic).sort(), ['eventyard.ingest', 'eventyard.schedule']);
  for (const line of warned) {
    assert.match(String(line.msg), /^topic eventyard\.(ingest|schedule) is weaker than configured$/);
    assert.match(String(line.problem), /fewer than EY_KAFKA_REPLICATION_FACTOR=3/);
  }
});

test('a topic the cluster refuses to create fails the start naming the topic and the reason', async (t) => {
  const kafka = await withBroker(t);
  await ensureTopics(kafka, ['there.already'], { partitions: 1, replicationFactor: 1 });
  // More copies than the one broker has: only the topic still missing is named.
  await assert.rejects(ensureTopics(kafka, ['there.already', 'three.copies'], { partitions: 1, replicationFactor: 3 }), (err: Error) => {
    assert.equal(err.message, 'Kafka did not create three.copies: three.copies: Replication-factor is invalid (INVALID_REPLICATION_FACTOR)');
    assert.equal((err.cause as Error).name, 'KafkaJSAggregateError');
    return true;
  });
});
