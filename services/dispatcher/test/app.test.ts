// The dispatcher in-process against the project's broker and a fresh database, delivering to a Dispatch
// server from the SDK: fields, retries through the schedule topic with pass_back, dead letters, cancel,
// undecodable records, health and metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topics } from '@eventyard/core';
import { decodeMessage, type DispatchReq__Output } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { startDispatcher, task, waitFor, waitForDelivery } from './fixture.ts';

test('dispatcher delivers over gRPC, retries through the schedule topic, dead-letters and cancels', async (t) => {
  const f = await startDispatcher(t);
  const received: DispatchReq__Output[] = [];
  const failures = new Map<string, number>();
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req, context) => {
      received.push(req);
      const data = req.event?.data.toString() ?? '';
      if (data === 'flaky') {
        const failed = failures.get(req.event_id) ?? 0;
        if (failed < 2) {
          failures.set(req.event_id, failed + 1);
          return { ret: { code: 500, msg: `failure ${failed + 1}` }, pass_back: Buffer.from(`attempt-${failed + 1}`) };
        }
      }
      if (data === 'broken') return { ret: { code: 1234, msg: 'always broken' } };
      if (data === 'cancel') return { ret: { code: 30000, msg: 'not interested' } };
      if (data === 'headers') return { ret: { code: 0, msg: context.headers['webhook-id'] ?? '' } };
      return { ret: { code: 0, msg: 'ok' } };
    },
  });
  t.after(() => server.close());
  const scheduled = await f.runScheduler();
  await f.register({ dispatcher_id: 'app-orders', addr: `127.0.0.1:${server.port}`, retry_strategy: { retry_count: 3, retry_interval: 200 } });

  await t.test('a task is delivered with its fields and recorded as succeeded', async () => {
    await f.produceTasks('app-orders', [
      {
        task: task('1001', '{"n":1}', {
          repeat_times: 2,
          event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{"n":1}'), event_comm: { event_tag: { tag_list: ['vip'] } } },
        }),
      },
    ]);
    const delivery = await waitForDelivery(f, '1001', 'app-orders', ['succeeded']);
    const req = received.find((r) => r.event_id === '1001');
    assert.ok(req !== undefined);
    assert.equal(req.event?.app_id, 'shop');
    assert.equal(req.event?.topic_id, 'order');
    assert.equal(req.event?.data.toString(), '{"n":1}');
    assert.deepEqual(req.event?.event_comm?.event_tag?.tag_list, ['vip']);
    assert.equal(req.retry_times, 0);
    assert.equal(req.repeat_times, 2);
    assert.equal(delivery.attempts.length, 1);
    const attempt = delivery.attempts[0];
    assert.equal(attempt?.outcome, 'success');
    assert.equal(attempt?.trigger, 'auto');
    assert.equal(attempt?.attempt_no, 1);
    assert.equal(attempt?.repeat_times, 2);
    assert.equal(attempt?.ret_code, 0);
    assert.ok(attempt?.latency_ms !== null && attempt !== undefined && attempt.latency_ms >= 0);
  });

  await t.test('failing twice then succeeding: 3 attempts, retry_times 0,1,2, pass_back round-trips', async () => {
    await f.produceTasks('app-orders', [{ task: task('1002', 'flaky') }]);
    const delivery = await waitForDelivery(f, '1002', 'app-orders', ['succeeded']);
    const attempts = received.filter((r) => r.event_id === '1002');
    assert.deepEqual(
      attempts.map((a) => a.retry_times),
      [0, 1, 2],
    );
    assert.deepEqual(
      attempts.map((a) => a.pass_back.toString()),
      ['', 'attempt-1', 'attempt-2'],
    );
    assert.deepEqual(
      delivery.attempts.map((a) => [a.attempt_no, a.retry_times, a.outcome, a.error_code]),
      [
        [1, 0, 'failure', '500'],
        [2, 1, 'failure', '500'],
        [3, 2, 'success', null],
      ],
    );
    const timers = scheduled.filter((item) => item.timer_id.startsWith('retry:1002:'));
    assert.deepEqual(
      timers.map((item) => item.timer_id),
      ['retry:1002:app-orders:0:1', 'retry:1002:app-orders:0:2'],
    );
    for (const item of timers) {
      assert.equal(item.target_topic, Topics.deliveries('app-orders'));
      assert.equal(item.kind, 'retry');
      assert.equal(item.key.toString(), '1002');
      const next = decodeMessage('eventyard.v1.DeliveryTask', item.value);
      assert.equal(next.event_id, '1002');
      assert.equal(next.dispatcher_id, 'app-orders');
    }
  });

  await t.test('always failing: dead after retry_count attempts, with a record on eventyard.dead', async () => {
    await f.produceTasks('app-orders', [{ task: task('1003', 'broken') }]);
    const delivery = await waitForDelivery(f, '1003', 'app-orders', ['dead']);
    assert.equal(delivery.attempts.length, 3);
    assert.equal(received.filter((r) => r.event_id === '1003').length, 3);
    assert.equal(delivery.last_error_code, '1234');
    const dead = await f.readTopic(Topics.dead, (records) => records.some((r) => r.headers['ey-event-id'] === '1003'));
    const record = dead.find((r) => r.headers['ey-event-id'] === '1003');
    assert.ok(record !== undefined, 'on the dead-letter topic');
    assert.equal(record.headers['ey-dispatcher-id'], 'app-orders');
    assert.equal(record.headers['ey-error-code'], '1234');
    assert.equal(record.headers['ey-error-message'], 'always broken');
    assert.equal(record.headers['ey-attempts'], '3');
    assert.equal(decodeMessage('eventyard.v1.DeliveryTask', record.value).retry_times, 2);
  });

  await t.test('is_retry false: dead after one attempt though retry_count is 3, no retry scheduled', async () => {
    await f.register({ dispatcher_id: 'app-once', addr: `127.0.0.1:${server.port}`, retry_strategy: { retry_count: 3, retry_interval: 200 }, is_retry: false });
    await f.produceTasks('app-once', [{ task: task('1007', 'broken', { dispatcher_id: 'app-once' }) }]);
    const delivery = await waitForDelivery(f, '1007', 'app-once', ['dead']);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(received.filter((r) => r.event_id === '1007').length, 1);
    assert.ok(!scheduled.some((item) => item.timer_id.startsWith('retry:1007:')));
  });

  await t.test('30000 cancels: one attempt, no retry', async () => {
    await f.produceTasks('app-orders', [{ task: task('1004', 'cancel') }]);
    const delivery = await waitForDelivery(f, '1004', 'app-orders', ['cancelled']);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0]?.outcome, 'cancel');
    assert.equal(delivery.attempts[0]?.ret_code, 30000);
    assert.ok(!scheduled.some((item) => item.timer_id.startsWith('retry:1004:')));
  });

  await t.test('manual trigger and webhook-id metadata', async () => {
    await f.produceTasks('app-orders', [{ task: task('1005', 'headers', { trigger_source: 'manual' }) }]);
    const delivery = await waitForDelivery(f, '1005', 'app-orders', ['succeeded']);
    assert.equal(delivery.attempts[0]?.trigger, 'manual');
  });

  await t.test('an undecodable record is skipped to the dead-letter topic and later records still flow', async () => {
    const producer = f.kafka.producer();
    await producer.connect();
    await producer.send({ topic: Topics.deliveries('app-orders'), messages: [{ key: 'junk', value: Buffer.from([0x0a, 0xff, 0xff]) }] });
    await producer.disconnect();
    await f.produceTasks('app-orders', [{ key: 'junk', task: task('1006', 'after junk') }]);
    await waitForDelivery(f, '1006', 'app-orders', ['succeeded']);
    const dead = await f.readTopic(Topics.dead, (records) => records.some((r) => r.key === 'junk'));
    const record = dead.find((r) => r.key === 'junk');
    assert.equal(record?.headers['ey-error-code'], 'EY_DISPATCH_BAD_RECORD');
    assert.equal(record?.headers['ey-attempts'], '0');
    assert.equal(record?.headers['eventyard-source-topic'], Topics.deliveries('app-orders'));
    assert.match(record?.headers['eventyard-source-offset'] ?? '', /^\d+$/);
    assert.equal(record?.headers['eventyard-reason'], record?.headers['ey-error-message']);
  });

  await t.test('health, readiness and metrics', async () => {
    const base = `http://127.0.0.1:${f.app.ports.health}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /eventyard_dispatcher_attempts_total\{[^}]*processor="app-orders"[^}]*outcome="success"[^}]*\} \d+/);
    assert.match(metrics, /eventyard_dispatcher_dead_total\{[^}]*processor="app-orders"[^}]*\} 1/);
    assert.match(metrics, /eventyard_dispatcher_attempt_seconds_bucket/);
    assert.match(metrics, /eventyard_dispatcher_consumers\{[^}]*\} 2/); // app-orders and app-once
    await waitFor(
      async () => /eventyard_dispatcher_in_flight\{[^}]*processor="app-orders"[^}]*\} 0/.test(await (await fetch(`${base}/metrics`)).text()),
      5000,
      'in-flight back to 0',
    );
  });
});
