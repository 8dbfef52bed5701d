// Sources inside a producer built in-process: a topic on another cluster (a second broker) is read, its
// records land on eventyard.ingest as Report envelopes with the mapped fields; a changed mapping applies
// without a restart; a record Report refuses (data over EY_MAX_EVENT_BYTES) is dead-lettered with
// Report's own code and gets a `rejected` history row. Credential references resolve from the
// environment and from files, and a missing one is named.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestBroker } from '@eventyard/broker/testing';
import { Topics } from '@eventyard/core';
import { upsertSource } from '@eventyard/db';
import { decodeMessage } from '@eventyard/proto';
import { Kafka, logLevel } from 'kafkajs';
import { sourceKafkaConfig } from '../../src/sources/source-cluster.ts';
import { startProducer, waitFor } from '../fixture.ts';

test('a source on another cluster feeds ingest; a changed mapping applies live; a refused record is dead-lettered', async (t) => {
  const remote = await startTestBroker({ dirPrefix: 'ey-source-remote-' });
  const fx = await startProducer(t, { EY_SOURCES_RELOAD_MS: '500', EY_MAX_EVENT_BYTES: '1024' });
  // After the producer's own cleanup (node:test runs after-hooks in registration order).
  t.after(() => remote.close());
  const remoteKafka = new Kafka({ brokers: [`127.0.0.1:${remote.port}`], clientId: 'remote-test', logLevel: logLevel.NOTHING });
  const admin = remoteKafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'remote-orders', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = remoteKafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());

  const source = {
    source_id: 'remote',
    app_id: 'shop',
    topic_id: 'order',
    topic: 'remote-orders',
    start_from: 'earliest',
    cluster: { brokers: [`127.0.0.1:${remote.port}`] },
    mapping: { tag_headers: ['region'] },
  };
  await upsertSource(fx.db.knex, source);
  await producer.send({ topic: 'remote-orders', messages: [{ key: 'c-1', value: '{"n":1}', headers: { region: 'eu', tier: 'gold' } }] });

  const envelopes = async (count: number) =>
    (await fx.readTopic(Topics.ingest, (records) => records.length >= count, 30_000)).map((r) => decodeMessage('eventyard.v1.IngestEnvelope', r.value));
  const [first] = await envelopes(1);
  assert.equal(first?.event?.app_id, 'shop');
  assert.equal(first?.event?.data.toString(), '{"n":1}');
  assert.deepEqual(first?.event?.event_comm?.event_tag?.tag_list, ['eu']);
  assert.equal(first?.option?.orderingKey, 'c-1');
  assert.equal(first?.event?.event_comm?.event_source?.source, 'kafka:remote');

  // A new version of the source: its consumer restarts with the new mapping, from the committed offset.
  await upsertSource(fx.db.knex, { ...source, mapping: { tag_headers: ['tier'] } });
  await waitFor(() => fx.app.sources?.runningVersion('remote') === 2, 15_000, 'the changed source running (NOTIFY, no restart)');
  await producer.send({ topic: 'remote-orders', messages: [{ key: 'c-1', value: '{"n":2}', headers: { region: 'eu', tier: 'gold' } }] });
  const both = await envelopes(2);
  assert.equal(both.length, 2, 'the first record was not read again');
  assert.deepEqual(both[1]?.event?.event_comm?.event_tag?.tag_list, ['gold']);

  // Over EY_MAX_EVENT_BYTES: Report's own 10000, so the record is dead-lettered, not retried.
  await producer.send({ topic: 'remote-orders', messages: [{ key: 'big', value: JSON.stringify({ pad: 'x'.repeat(2000) }) }] });
  const [dead] = await fx.readTopic(Topics.dead, (records) => records.length >= 1, 30_000);
  assert.equal(dead?.headers['ey-error-code'], 'EY_REPORT_INVALID');
  assert.match(dead?.headers['eventyard-reason'] ?? '', /^source remote: event\.data is \d+ bytes, over the limit of 1024 bytes/);
  assert.equal(dead?.headers['eventyard-source-topic'], 'remote-orders');
  assert.equal(dead?.headers['eventyard-source-id'], 'remote');
  const eventId = dead?.headers['ey-event-id'] ?? '';
  await waitFor(async () => (await fx.db.knex('events').where({ event_id: eventId }).first()) !== undefined, 15_000, 'the rejected history row');
  const row = (await fx.db.knex('events').where({ event_id: eventId }).first()) as {
    status: string;
    app_id: string;
    ordering_key: string | null;
    payload: Buffer | null;
  };
  assert.equal(row.status, 'rejected');
  assert.equal(row.app_id, 'shop');
  assert.equal(row.ordering_key, 'big');
  assert.equal(row.payload, null, 'a payload over EY_MAX_EVENT_BYTES is not kept in the row');
});

test('credential references resolve from the environment and from files; a missing one is named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-source-creds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'password'), 's3cret\n');
  await writeFile(join(dir, 'ca.crt'), 'PEM');
  const env = (name: string) => ({ SRC_USER: 'alice' })[name];
  const cluster = {
    brokers: ['k:9093'],
    sasl: { mechanism: 'scram-sha-256' as const, username_env: 'SRC_USER', password_file: join(dir, 'password') },
    tls: { ca_file: join(dir, 'ca.crt'), server_name: 'kafka.example' },
  };
  const { config, overrides } = sourceKafkaConfig(cluster, 'eventyard', env);
  assert.deepEqual(config.sasl, { mechanism: 'scram-sha-256', username: 'alice', password: 's3cret' });
  assert.deepEqual(overrides.ssl, { ca: ['PEM'], servername: 'kafka.example' });
  assert.throws(
    () => sourceKafkaConfig({ ...cluster, sasl: { ...cluster.sasl, username_env: 'NOPE' } }, 'eventyard', env),
    /^Error: cluster\.sasl\.username_env: environment variable NOPE is not set in the producer$|cluster\.sasl\.username_env: environment variable NOPE is not set/,
  );
  assert.throws(
    () => sourceKafkaConfig({ ...cluster, tls: { ca_file: join(dir, 'missing.crt') } }, 'eventyard', env),
    /cluster\.tls\.ca_file: cannot read .*missing\.crt \(ENOENT\)/,
  );
});
