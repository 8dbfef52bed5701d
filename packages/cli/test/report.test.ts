// `eventyard service producer` runs the real producer in the foreground, and `eventyard report` sends it a
// Report over gRPC with the SDK's client: the event_id is printed and the event is on the ingest topic;
// a refused broadcast and an unreachable producer are one line and exit 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { readTopic, waitFor } from '@eventyard/broker/testing';
import { createKafka, loadCoreConfig, silentLogger, Topics } from '@eventyard/core';
import { createApiKey, findFreePort } from '@eventyard/db';
import { CLI, runCli, startCliFixture } from './fixture.ts';

test('service producer + report', async (t) => {
  const { db, brokers } = await startCliFixture(t, { broker: true });
  assert.ok(brokers !== undefined);
  const [grpcPort, httpPort, healthPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EY_')));
  const producer = spawn(process.execPath, [CLI, 'service', 'producer'], {
    env: {
      ...clean,
      EY_DATABASE_URL: db.url,
      EY_KAFKA_BROKERS: brokers,
      EY_GRPC_HOST: '127.0.0.1',
      EY_GRPC_PORT: String(grpcPort),
      EY_HTTP_HOST: '127.0.0.1',
      EY_HTTP_PORT: String(httpPort),
      EY_HEALTH_PORT: String(healthPort),
      EY_TOPIC_PARTITIONS: '1',
      EY_LOG_LEVEL: 'warn',
      EY_SHUTDOWN_GRACE_MS: '1000',
      // The CLI reports anonymously here; `--api-key` has its own test.
      EY_REQUIRE_API_KEY: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  producer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  producer.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => producer.once('exit', (code) => resolve(code)));
  t.after(async () => {
    producer.kill('SIGTERM');
    await exited;
  });
  await waitFor(
    async () => {
      if (producer.exitCode !== null) throw new Error(`the producer exited ${producer.exitCode}: ${output}`);
      return (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200;
    },
    60_000,
    'the producer is ready',
  );
  const addr = `127.0.0.1:${grpcPort}`;

  await t.test('report prints the event_id; the event is on the ingest topic with its payload and tag', async () => {
    const res = await runCli(['report', 'shop', 'order', '{"order":7}', '--tag', 'vip', '--ordering-key', 'customer-7'], { EY_PRODUCER_ADDR: addr });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^\d{1,19}\n$/);
    const eventId = res.stdout.trim();
    const kafka = createKafka(loadCoreConfig({ EY_KAFKA_BROKERS: brokers }).kafka, { logger: silentLogger() });
    const records = await readTopic(kafka, Topics.ingest, (read) => read.length >= 1, 20_000);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record?.key, 'customer-7');
    assert.ok(record?.value.includes(Buffer.from('{"order":7}')), 'payload missing from the envelope');
    assert.ok(record?.value.includes(Buffer.from('vip')), 'tag missing from the envelope');
    // The producer names the event in a header (ey-event-id) beside the envelope.
    assert.equal(record?.headers['ey-event-id'], eventId);
  });

  await t.test('a broadcast without a key with the broadcast permission is refused in one line', async () => {
    const res = await runCli(['report', 'shop', 'order', '{}', '--broadcast', '--producer-addr', addr]);
    assert.equal(res.code, 1);
    assert.equal(res.stderr.split('\n').length, 2, res.stderr);
    assert.match(res.stderr, /^eventyard: (report refused|report failed): .*broadcast/);
    const { secret } = await createApiKey(db.knex, { app_ids: ['shop'], permissions: ['report', 'broadcast'] });
    await waitFor(
      async () => (await runCli(['report', 'shop', 'order', '{}', '--broadcast', '--api-key', secret, '--producer-addr', addr])).code === 0,
      30_000,
      'a broadcast with a broadcast key is accepted',
    );
  });

  await t.test('bad flags and an unreachable producer are one line', async () => {
    const delay = await runCli(['report', 'shop', 'order', '--delay', 'soon', '--producer-addr', addr]);
    assert.equal(delay.code, 1);
    assert.equal(delay.stderr, 'eventyard: --delay must be a duration such as 500ms, 5s, 2m, 1h or 7d, got "soon"\n');
    const port = await findFreePort();
    const down = await runCli(['report', 'shop', 'order', '{}', '--producer-addr', `127.0.0.1:${port}`, '--timeout-ms', '3000']);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      new RegExp(
        `^eventyard: cannot reach the producer at 127\\.0\\.0\\.1:${port} \\((UNAVAILABLE|DEADLINE_EXCEEDED): [^\\n]*\\); set --producer-addr or EY_PRODUCER_ADDR\\n$`,
      ),
    );
  });
});

test('service refuses an unknown name in one line', async () => {
  const res = await runCli(['service', 'routr']);
  assert.equal(res.code, 1);
  assert.equal(res.stderr, 'eventyard: service: unknown service "routr" (expected one of producer, router, dispatcher, delay-scheduler, admin)\n');
});
