// kafkajs's own log lines through createKafka's pino bridge. kafkajs logs every CreateTopics answer that
// carries a per-topic error at ERROR before its caller sees it, so two services creating the same topic at
// once (a fresh install's first start) printed an error about nothing; the line is debug now, and a real
// creation failure still reaches the caller, who reports it.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { startTestBroker } from '@eventyard/broker/testing';
import { createKafka } from '../src/kafka.ts';
import { createLogger } from '../src/logger.ts';

test('a topic created twice logs no error; a creation that fails still rejects for its caller', async (t) => {
  const broker = await startTestBroker({ dirPrefix: 'ey-kafka-log-' });
  t.after(() => broker.close());
  const lines: Array<{ level: number; msg: string; kafkajs?: boolean }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
      done();
    },
  });
  const logger = createLogger({ name: 'kafka-log-test', level: 'debug', destination });
  const kafka = createKafka({ brokers: [broker.address], clientId: 'kafka-log-test' }, { logger });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  assert.equal(await admin.createTopics({ topics: [{ topic: 'twice', numPartitions: 1 }] }), true);
  // What the second of two services starting at once gets: the topic exists (kafkajs answers false).
  assert.equal(await admin.createTopics({ topics: [{ topic: 'twice', numPartitions: 1 }] }), false);
  // A real failure: more replicas than the one broker has.
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'three-copies', numPartitions: 1, replicationFactor: 3 }] }), /Topic creation errors/);

  const errors = lines.filter((line) => line.level >= 50);
  assert.deepEqual(errors, [], 'kafkajs logged an error');
  assert.equal(lines.filter((line) => line.kafkajs === true && line.level === 20 && line.msg.startsWith('Response CreateTopics')).length, 2, 'kept at debug');
});
