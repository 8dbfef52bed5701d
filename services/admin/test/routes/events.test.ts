// GET /v1/events/:event_id over real HTTP: the event with its payload (base64, and parsed when JSON),
// each processor's delivery with every attempt, the next due time, and 400/404 for bad or unknown ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertTimers, recordAttempt, recordDeliveries, recordEvents } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

const EVENT_ID = '7320000000000000001';
const BINARY_EVENT_ID = '7320000000000000002';

test('event lookup', async (t) => {
  const admin = await startAdmin(t);
  const { call } = admin;
  const knex = admin.db.knex;
  const base = { app_id: 'shop', topic_id: 'order' };
  await recordEvents(knex, [
    {
      event_id: EVENT_ID,
      ...base,
      status: 'routed',
      trigger_type: 1,
      trigger: { trigger_type: 1 },
      payload: Buffer.from('{"order":7,"vip":true}'),
      ordering_key: 'customer-7',
    },
    { event_id: BINARY_EVENT_ID, ...base, status: 'no_subscribers', payload: Buffer.from([0xff, 0xfe, 0x00]) },
  ]);
  await recordDeliveries(knex, [
    { event_id: EVENT_ID, dispatcher_id: 'analytics', ...base, status: 'filtered' },
    { event_id: EVENT_ID, dispatcher_id: 'billing', ...base, status: 'pending' },
  ]);
  const t0 = new Date(Date.now() - 5000);
  const retryAt = new Date(Date.now() + 60_000);
  await recordAttempt(knex, {
    event_id: EVENT_ID,
    dispatcher_id: 'billing',
    ...base,
    retry_times: 0,
    repeat_times: 0,
    started_at: t0,
    finished_at: new Date(t0.getTime() + 120),
    outcome: 'failure',
    error_code: 14,
    error_message: 'UNAVAILABLE: connection refused',
    delivery_status: 'scheduled',
    next_attempt_at: retryAt,
  });
  await recordAttempt(knex, {
    event_id: EVENT_ID,
    dispatcher_id: 'billing',
    ...base,
    trigger: 'manual',
    retry_times: 1,
    repeat_times: 0,
    started_at: new Date(t0.getTime() + 1000),
    finished_at: new Date(t0.getTime() + 1040),
    outcome: 'failure',
    error_code: 503,
    error_message: 'HTTP 503',
    response_status: 503,
    response_excerpt: 'try later',
    delivery_status: 'scheduled',
    next_attempt_at: retryAt,
  });
  await insertTimers(knex, [
    {
      id: `retry:${EVENT_ID}:billing:0:2`,
      kind: 'retry',
      due_at: retryAt,
      target_topic: 'eventyard.deliveries.billing',
      message_key: null,
      value: Buffer.from('x'),
      event_id: EVENT_ID,
      dispatcher_id: 'billing',
    },
  ]);

  await t.test('the event, its payload, deliveries per processor and every attempt', async () => {
    const res = await call('GET', `/v1/events/${EVENT_ID}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { ret, event, deliveries, next_due_at } = res.body;
    assert.deepEqual(ret, { code: 0, msg: 'success' });
    assert.equal(event.event_id, EVENT_ID);
    assert.equal(event.status, 'routed');
    assert.equal(event.trigger_type, 1);
    assert.deepEqual(event.trigger, { trigger_type: 1 });
    assert.equal(event.ordering_key, 'customer-7');
    assert.equal(event.payload.size, 22);
    assert.equal(Buffer.from(event.payload.base64, 'base64').toString(), '{"order":7,"vip":true}');
    assert.deepEqual(event.payload.json, { order: 7, vip: true });
    assert.equal(new Date(next_due_at).getTime(), retryAt.getTime());

    assert.deepEqual(
      deliveries.map((d: { dispatcher_id: string; status: string }) => [d.dispatcher_id, d.status]),
      [
        ['analytics', 'filtered'],
        ['billing', 'scheduled'],
      ],
    );
    const [analytics, billing] = deliveries;
    assert.deepEqual(analytics.attempts, []);
    assert.equal(analytics.retry_source, null);
    assert.equal(billing.attempt_count, 2);
    assert.equal(billing.retry_source, 'manual');
    assert.equal(new Date(billing.next_due_at).getTime(), retryAt.getTime());
    assert.equal(billing.last_error, 'HTTP 503');
    assert.equal(billing.attempts.length, 2);
    const [first, second] = billing.attempts;
    assert.equal(first.attempt_no, 1);
    assert.equal(first.retry_source, 'auto');
    assert.equal(first.latency_ms, 120);
    assert.equal(first.outcome, 'failure');
    assert.equal(first.error_code, '14');
    assert.equal(first.error_message, 'UNAVAILABLE: connection refused');
    assert.equal(new Date(first.started_at).getTime(), t0.getTime());
    assert.equal(second.attempt_no, 2);
    assert.equal(second.retry_source, 'manual');
    assert.equal(second.retry_times, 1);
    assert.equal(second.response_status, 503);
    assert.equal(second.response_excerpt, 'try later');
  });

  await t.test('a payload that is not UTF-8 JSON is only base64; an event with no deliveries has none', async () => {
    const res = await call('GET', `/v1/events/${BINARY_EVENT_ID}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.event.status, 'no_subscribers');
    assert.equal(res.body.event.payload.base64, Buffer.from([0xff, 0xfe, 0x00]).toString('base64'));
    assert.equal('json' in res.body.event.payload, false);
    assert.deepEqual(res.body.deliveries, []);
    assert.equal(res.body.next_due_at, null);
  });

  await t.test('unknown ids are 404, malformed ones 400 naming event_id', async () => {
    const unknown = await call('GET', '/v1/events/12345');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.ret, { code: 10000, msg: 'event 12345 not found' });
    for (const bad of ['abc', '0', '-5', '99999999999999999999', '9223372036854775808', '1.5']) {
      const res = await call('GET', `/v1/events/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.ret.code, 10000);
      assert.match(res.body.ret.msg, /^event_id must be a positive decimal 64-bit integer$/, bad);
    }
  });
});
