// startTestBroker: a broker of a test's own, restartable on the same port and data, gone after close().
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { readTopic, startTestBroker } from '../src/testing.ts';

test('startTestBroker: records survive restart() on the same port; close() removes the data dir', async (t) => {
  const broker = await startTestBroker({ dirPrefix: 'ey-testing-test-', flush: { mode: 'always' } });
  t.after(() => broker.close());
  assert.equal(broker.address, `127.0.0.1:${broker.port}`);
  assert.ok(existsSync(broker.dataDir));
  const kafka = new Kafka({ brokers: [broker.address], clientId: 'testing-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'kept', messages: [{ key: 'k', value: 'v' }] });
  await producer.disconnect();

  const first = broker.broker;
  await broker.restart();
  assert.notEqual(broker.broker, first, 'a new broker instance');
  assert.equal(broker.broker.port, broker.port, 'on the same port');
  const records = await readTopic(kafka, 'kept', (rs) => rs.length >= 1, 15_000);
  assert.deepEqual(
    records.map((r) => [r.key, r.value.toString()]),
    [['k', 'v']],
  );

  await broker.close();
  assert.equal(existsSync(broker.dataDir), false);
  await broker.close(); // idempotent
});
