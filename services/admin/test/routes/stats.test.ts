// GET /v1/processors/:dispatcher_id/stats over real HTTP: counts by status and outcome and latency
// percentiles on seeded history, the broadcast subset, consumer lag of the dispatcher's group against
// the project's broker (offsets committed behind the end), Postgres numbers alone when Kafka does not
// answer, and 4xx for an unknown processor or a bad window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestBroker, type TestBroker } from '@eventyard/broker/testing';
import { ConsumerGroups, ensureTopics, Topics } from '@eventyard/core';
import { findFreePort, recordAttempts, recordDeliveries, recordEvents, upsertProcessor, type AttemptInput, type Knex } from '@eventyard/db';
import { Kafka, logLevel } from 'kafkajs';
import { startAdmin } from '../fixture.ts';

const MINUTE = 60_000;

/** billing: ten attempts of 10..100 ms a few minutes ago, one of 1000 ms two hours ago, a broadcast event with 10 and 30 ms. */
async function seed(knex: Knex): Promise<void> {
  await upsertProcessor(knex, { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' });
  const now = Date.now();
  const events = Array.from({ length: 14 }, (_, i) => ({ event_id: String(100 + i), app_id: 'shop', topic_id: 'order', status: 'routed', broadcast: i >= 12 }));
  await recordEvents(knex, events);
  const base = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', retry_times: 0, repeat_times: 0 };
  const attempts: AttemptInput[] = [];
  for (let i = 0; i < 10; i++) {
    const started_at = new Date(now - 5 * MINUTE + i * 1000);
    const failed = i >= 8;
    attempts.push({
      ...base,
      event_id: String(100 + i),
      started_at,
      finished_at: new Date(started_at.getTime() + (i + 1) * 10),
      outcome: failed ? 'failure' : 'success',
      delivery_status: i === 9 ? 'dead' : failed ? 'failed' : 'succeeded',
    });
  }
  const old = new Date(now - 120 * MINUTE);
  attempts.push({ ...base, event_id: '110', started_at: old, finished_at: new Date(old.getTime() + 1000), outcome: 'timeout', delivery_status: 'succeeded' });
  for (const [n, ms] of [
    [112, 10],
    [113, 30],
  ] as const) {
    const started_at = new Date(now - MINUTE);
    attempts.push({
      ...base,
      event_id: String(n),
      started_at,
      finished_at: new Date(started_at.getTime() + ms),
      outcome: 'success',
      delivery_status: 'succeeded',
    });
  }
  await recordAttempts(knex, attempts);
  await recordDeliveries(knex, [{ ...base, event_id: '111', status: 'pending' }]);
  // Event 110's delivery last changed two hours ago: outside a 1h window, inside 24h.
  await knex('deliveries').where({ event_id: '110' }).update({ updated_at: old });
}

test('processor stats', async (t) => {
  const started: { broker?: TestBroker } = {};
  t.after(() => started.broker?.close());
  const broker = (started.broker = await startTestBroker({ dirPrefix: 'ey-admin-stats-' }));
  const brokers = broker.address;
  const admin = await startAdmin(t, { EY_KAFKA_BROKERS: brokers });
  await seed(admin.db.knex);

  // billing's delivery topic: 10 records on partition 0, 6 on partition 1; its group committed 4 on
  // partition 0 and nothing on partition 1.
  const kafka = new Kafka({ brokers: [brokers], clientId: 'stats-test', logLevel: logLevel.NOTHING });
  const topic = Topics.deliveries('billing');
  await ensureTopics(kafka, [topic], { partitions: 2 });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  const records = (partition: number, n: number) => Array.from({ length: n }, (_, i) => ({ partition, value: `task-${partition}-${i}` }));
  await producer.send({ topic, acks: -1, messages: [...records(0, 10), ...records(1, 6)] });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  t.after(() => kafkaAdmin.disconnect());
  await kafkaAdmin.setOffsets({ groupId: ConsumerGroups.dispatcher('billing'), topic, partitions: [{ partition: 0, offset: '4' }] });

  await t.test('counts, percentiles and the broadcast subset over the default 1h window', async () => {
    const res = await admin.call('GET', '/v1/processors/billing/stats');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body;
    assert.equal(body.window, '1h');
    assert.equal(body.window_s, 3600);
    assert.deepEqual(body.deliveries, { pending: 1, scheduled: 0, delivering: 0, succeeded: 10, failed: 1, dead: 1, filtered: 0, cancelled: 0, total: 13 });
    assert.deepEqual(body.attempts, { success: 10, failure: 2, total: 12 });
    // Latencies 10, 20, …, 100 plus the broadcast 10 and 30: twelve values.
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 10, 30].sort((a, b) => a - b);
    const cont = (p: number) => {
      const rank = p * (values.length - 1);
      const lo = values[Math.floor(rank)] ?? NaN;
      const hi = values[Math.ceil(rank)] ?? NaN;
      return lo + (hi - lo) * (rank - Math.floor(rank));
    };
    assert.equal(body.latency_ms.p50, cont(0.5));
    assert.equal(body.latency_ms.p90, cont(0.9));
    assert.ok(Math.abs(body.latency_ms.p99 - cont(0.99)) < 1e-9);
    assert.equal(body.latency_ms.max, 100);
    assert.equal(body.broadcast.deliveries, 2);
    assert.equal(body.broadcast.delivered_per_s, 2 / 3600);
    assert.deepEqual(body.broadcast.latency_ms, { p50: 20, p99: 29.8 });
  });

  await t.test('a 24h window takes in the older attempt and delivery', async () => {
    const res = await admin.call('GET', '/v1/processors/billing/stats?window=24h');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.window_s, 86_400);
    assert.equal(res.body.deliveries.succeeded, 11);
    assert.deepEqual(res.body.attempts, { success: 10, failure: 2, timeout: 1, total: 13 });
    assert.equal(res.body.latency_ms.max, 1000);
    const narrow = await admin.call('GET', '/v1/processors/billing/stats?window=90s');
    assert.deepEqual(narrow.body.attempts, { success: 2, total: 2 }, 'only the broadcast attempts a minute ago');
  });

  await t.test("consumer lag of the dispatcher's group, per partition and in total", async () => {
    const res = await admin.call('GET', '/v1/processors/billing/stats');
    assert.equal(res.body.consumer_lag_error, undefined);
    assert.deepEqual(res.body.consumer_lag, {
      group: 'eventyard-dispatcher.billing',
      topic: 'eventyard.deliveries.billing',
      total: 12,
      partitions: [
        { partition: 0, end: 10, committed: 4, lag: 6 },
        { partition: 1, end: 6, committed: null, lag: 6 },
      ],
    });
    await kafkaAdmin.setOffsets({ groupId: ConsumerGroups.dispatcher('billing'), topic, partitions: [{ partition: 1, offset: '5' }] });
    assert.equal((await admin.call('GET', '/v1/processors/billing/stats')).body.consumer_lag.total, 7, 'a commit lowers the lag');
  });

  await t.test('unknown processor and bad windows', async () => {
    const unknown = await admin.call('GET', '/v1/processors/nobody/stats');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'EY_PROCESSOR_NOT_FOUND');
    assert.match(unknown.body.ret.msg, /processor "nobody" not found/);
    for (const [query, message] of [
      ['window=abc', /window must be a duration/],
      ['window=0s', /window must be a duration/],
      ['window=31d', /window must be a duration from 1s to 30d/],
      ['window=1w', /window must be a duration/],
      ['window=-1h', /window must be a duration/],
      ['window=1h&since=0', /since is not a known field/],
    ] as const) {
      const res = await admin.call('GET', `/v1/processors/billing/stats?${query}`);
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.ret.msg, message, query);
    }
    assert.equal((await admin.call('GET', '/v1/processors/billing/stats?window=30d')).status, 200);
  });
});

test('stats answer with the Postgres numbers and consumer_lag null when Kafka is unreachable', async (t) => {
  // A port nothing listens on.
  const admin = await startAdmin(t, { EY_KAFKA_BROKERS: `127.0.0.1:${await findFreePort()}` });
  await seed(admin.db.knex);
  const res = await admin.call('GET', '/v1/processors/billing/stats');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.consumer_lag, null);
  assert.equal(typeof res.body.consumer_lag_error, 'string');
  assert.match(res.body.consumer_lag_error, /kafka/i);
  assert.equal(res.body.deliveries.total, 13);
  assert.equal(res.body.latency_ms.max, 100);
});
