// The two read-only routes the web console draws from: GET /v1/processors/:id/timeline (attempts per
// time bucket: successes, failures, latency percentiles) and GET /v1/replays (jobs newest first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReplayJob, recordAttempts, recordEvents, upsertProcessor, type AttemptInput } from '@eventyard/db';
import { startAdmin } from '../fixture.ts';

const MINUTE = 60_000;

test('console data routes', async (t) => {
  const admin = await startAdmin(t, { EY_KAFKA_BROKERS: '127.0.0.1:1' });
  const { knex } = admin.db;
  await upsertProcessor(knex, { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' });
  await recordEvents(
    knex,
    Array.from({ length: 7 }, (_, i) => ({ event_id: String(200 + i), app_id: 'shop', topic_id: 'order', status: 'routed', broadcast: false })),
  );
  const base = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', retry_times: 0, repeat_times: 0 };
  const now = Date.now();
  const attempt = (i: number, agoMs: number, outcome: string, latencyMs: number): AttemptInput => {
    const started_at = new Date(now - agoMs);
    return {
      ...base,
      event_id: String(200 + i),
      started_at,
      finished_at: new Date(started_at.getTime() + latencyMs),
      outcome,
      delivery_status: outcome === 'success' ? 'succeeded' : 'failed',
    };
  };
  await recordAttempts(knex, [
    attempt(0, 3 * MINUTE, 'success', 10),
    attempt(1, 3 * MINUTE, 'success', 30),
    attempt(2, 3 * MINUTE, 'failure', 50),
    attempt(3, 8 * MINUTE, 'timeout', 2000),
    attempt(4, 8 * MINUTE, 'success', 20),
    // Outside a 15 minute window.
    attempt(5, 40 * MINUTE, 'success', 5),
  ]);

  await t.test('timeline: every bucket of the window, oldest first, attempts counted where they started', async () => {
    const res = await admin.call('GET', '/v1/processors/billing/timeline?window=15m&buckets=15');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.bucket_ms, MINUTE);
    const buckets = res.body.buckets as Array<{ at: string; success: number; failure: number; latency_p50_ms: number | null; latency_p99_ms: number | null }>;
    assert.equal(buckets.length, 15);
    const times = buckets.map((b) => Date.parse(b.at));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
    );
    assert.equal(
      buckets.reduce((n, b) => n + b.success, 0),
      3,
    );
    assert.equal(
      buckets.reduce((n, b) => n + b.failure, 0),
      2,
    );
    const busiest = buckets.find((b) => b.success === 2);
    assert.ok(busiest !== undefined, JSON.stringify(buckets));
    assert.equal(busiest.failure, 1);
    assert.equal(busiest.latency_p50_ms, 30);
    const slow = buckets.find((b) => b.failure === 1 && b.success === 1);
    assert.ok(slow !== undefined && slow.latency_p99_ms !== null && slow.latency_p99_ms > 1900, JSON.stringify(buckets));
    const empty = buckets.filter((b) => b.success + b.failure === 0);
    assert.equal(empty.length, 13);
    assert.ok(empty.every((b) => b.latency_p50_ms === null && b.latency_p99_ms === null));
  });

  await t.test('timeline: the default is 30 buckets over an hour', async () => {
    const res = await admin.call('GET', '/v1/processors/billing/timeline');
    assert.equal(res.status, 200);
    assert.equal(res.body.buckets.length, 30);
    assert.equal(res.body.window, '1h');
    assert.equal(
      res.body.buckets.reduce((n: number, b: { success: number }) => n + b.success, 0),
      4,
    );
  });

  await t.test('timeline: bad input and unknown processors', async () => {
    assert.equal((await admin.call('GET', '/v1/processors/nobody/timeline')).status, 404);
    for (const query of ['buckets=0', 'buckets=241', 'buckets=ten', 'window=1y', 'extra=1']) {
      const res = await admin.call('GET', `/v1/processors/billing/timeline?${query}`);
      assert.equal(res.status, 400, query);
      assert.ok(typeof res.body.ret.msg === 'string' && res.body.ret.msg.length > 0);
    }
  });

  await t.test('replays: newest first, filtered by status, behind authentication', async () => {
    const first = await createReplayJob(knex, { kind: 'query', query: { app_id: 'shop' }, rate_per_s: 100, limit: 10 });
    const second = await createReplayJob(knex, { kind: 'redrive', query: { dispatcher_id: 'billing', delivery_status: ['dead'] }, rate_per_s: 100, limit: 10 });
    await knex('replay_jobs')
      .where({ replay_id: first.replay_id })
      .update({ created_at: new Date(now - MINUTE) });
    const res = await admin.call('GET', '/v1/replays');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.replays.map((r: { replay_id: string }) => r.replay_id),
      [second.replay_id, first.replay_id],
    );
    assert.equal(res.body.replays[0].kind, 'redrive');
    assert.equal(typeof res.body.replays[0].matched, 'number');
    const limited = await admin.call('GET', '/v1/replays?limit=1');
    assert.equal(limited.body.replays.length, 1);
    const done = await admin.call('GET', '/v1/replays?status=cancelled');
    assert.deepEqual(done.body.replays, []);
    assert.equal((await admin.call('GET', '/v1/replays?status=bogus')).status, 400);
    assert.equal((await admin.call('GET', '/v1/replays', undefined, { authorization: '' })).status, 401);
  });

  await t.test('both routes are in /openapi.json', async () => {
    const doc = await admin.call('GET', '/openapi.json');
    assert.ok(doc.body.paths['/v1/replays'].get);
    assert.ok(doc.body.paths['/v1/processors/{dispatcher_id}/timeline'].get);
  });
});
