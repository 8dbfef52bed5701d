// Issue 19 item 2 over real processes (broker, Postgres, producer, router, dispatcher, delay-scheduler,
// admin): a processor whose Dispatch server fails opens its circuit breaker after a run of failures;
// while it is open its deliveries wait (no attempts but the one probe at a time, so no retries burnt and
// nothing dead), a healthy processor of the same app and topic keeps delivering everything; once the
// server recovers a probe closes the breaker and every event arrives. A processor that keeps failing
// for longer than its auto_pause_after_ms is paused, with the reason shown, and delivers everything
// once fixed and resumed. Every transition and the pause are also records on eventyard.status.
// Counts and order are asserted, never timings (latency is printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusChange } from '@eventyard/evhub';
import { Kafka, logLevel } from 'kafkajs';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { adminCall as admin, startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

type Json = Record<string, unknown>;

interface Health {
  state: string;
  next_probe_at: string | null;
  last_failure: string | null;
  auto_pause: { reason: string } | null;
}

async function health(
  stack: RunningStack,
  dispatcherId: string,
): Promise<{ paused: boolean; health: Health; transitions: Array<{ from_state: string; to_state: string; reason: string }> }> {
  const res = await admin(stack, 'GET', `/v1/processors/${dispatcherId}/health?limit=1000`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as never;
}

async function deliveryCounts(stack: RunningStack, dispatcherId: string): Promise<Record<string, number>> {
  const rows = (await stack.knex('deliveries').where({ dispatcher_id: dispatcherId }).select('status').count('* as n').groupBy('status')) as Array<{
    status: string;
    n: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function metric(stack: RunningStack, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${stack.healthPort('dispatcher')}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

test('a failing endpoint opens its breaker, probes, closes on recovery, loses nothing; a healthy one keeps delivering; one failing too long is paused', async (t) => {
  const stack = await startStack(t);
  const servers: Array<{ close(): Promise<void> }> = [];
  try {
    let flakyDown = true;
    const flakyCalls: Array<{ event_id: string; retry_times: number; ok: boolean }> = [];
    const flaky = await startDispatchServer({
      host: '127.0.0.1',
      handler: (req) => {
        flakyCalls.push({ event_id: req.event_id, retry_times: req.retry_times, ok: !flakyDown });
        return flakyDown ? { ret: { code: 503, msg: 'down for maintenance' } } : { ret: { code: 0, msg: 'ok' } };
      },
    });
    servers.push(flaky);
    const reportedAt = new Map<string, number>();
    const healthyLatencyById = new Map<string, number>();
    const healthySeen: string[] = [];
    const healthy = await startDispatchServer({
      host: '127.0.0.1',
      handler: (req) => {
        healthySeen.push(req.event_id);
        const at = reportedAt.get(req.event_id);
        if (at !== undefined) healthyLatencyById.set(req.event_id, Date.now() - at);
        return { ret: { code: 0, msg: 'ok' } };
      },
    });
    servers.push(healthy);
    let auditDown = true;
    const auditCalls: Array<{ event_id: string; ok: boolean }> = [];
    const audit = await startDispatchServer({
      host: '127.0.0.1',
      handler: (req) => {
        auditCalls.push({ event_id: req.event_id, ok: !auditDown });
        return auditDown ? { ret: { code: 503, msg: 'audit store offline' } } : { ret: { code: 0, msg: 'ok' } };
      },
    });
    servers.push(audit);

    const processors: Json[] = [
      {
        dispatcher_id: 'e2e-flaky',
        topic_id: 'pay',
        addr: `127.0.0.1:${flaky.port}`,
        // One attempt at a time: the failures before the breaker opens are exactly consecutive_failures.
        concurrency: 1,
        retry_strategy: { retry_count: 10, retry_interval: 200 },
        circuit_breaker: { consecutive_failures: 3, failure_ratio_percent: 0, probe_interval_ms: 300, max_probe_interval_ms: 1200, auto_pause_after_ms: 0 },
      },
      { dispatcher_id: 'e2e-healthy', topic_id: 'pay', addr: `127.0.0.1:${healthy.port}` },
      {
        dispatcher_id: 'e2e-audit',
        topic_id: 'audit',
        addr: `127.0.0.1:${audit.port}`,
        retry_strategy: { retry_count: 1000, retry_interval: 200 },
        circuit_breaker: { consecutive_failures: 2, probe_interval_ms: 200, max_probe_interval_ms: 400, auto_pause_after_ms: 2000 },
      },
    ];
    for (const processor of processors) {
      const saved = await admin(stack, 'POST', '/v1/processor', {
        processor_conf_info: { app_id: 'shop', protocol_type: 'grpcSend', timeout: 2000, ...processor },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
    }
    await waitForRouterProcessors(stack, processors.length);

    const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
    const report = async (topicId: string, n: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const started = Date.now();
        const rsp = await client.report({ event: { app_id: 'shop', topic_id: topicId, data: Buffer.from(JSON.stringify({ n: i })) } });
        assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
        reportedAt.set(rsp.event_id, started);
        ids.push(rsp.event_id);
      }
      return ids;
    };

    try {
      // 1. The flaky endpoint fails: its breaker opens after exactly 3 failed attempts.
      const first = await report('pay', 20);
      await waitUntil(async () => (await health(stack, 'e2e-flaky')).health.state !== 'closed', 30_000, 'the flaky breaker open');
      const opened = await health(stack, 'e2e-flaky');
      assert.equal(opened.transitions.at(-1)?.to_state, 'open');
      assert.match(opened.transitions.at(-1)?.reason ?? '', /^3 consecutive failures/);
      const viaProcessor = await admin(stack, 'GET', '/v1/processor/e2e-flaky');
      assert.notEqual((viaProcessor.body.health as Health).state, 'closed', 'GET /v1/processor/:id shows it too');

      // 2. While it is open, the healthy processor of the same app and topic delivers every event,
      //    including events reported after the breaker opened.
      const second = await report('pay', 20);
      const all = [...first, ...second];
      await waitUntil(() => all.every((id) => healthySeen.includes(id)), 30_000, 'every event at the healthy processor');
      assert.notEqual((await health(stack, 'e2e-flaky')).health.state, 'closed', 'the flaky breaker was open all along');
      assert.equal(flakyCalls.filter((c) => c.ok).length, 0);
      assert.deepEqual(
        healthySeen.filter((id) => first.includes(id)).length,
        first.length,
        'the healthy processor got the events reported before the breaker opened',
      );
      const latencies = (ids: string[]) => ids.map((id) => healthyLatencyById.get(id)).filter((v): v is number => v !== undefined);

      // 3. Half-open probes, one at a time, fail and reopen it: attempts while open are the probes only.
      await waitUntil(
        async () => (await health(stack, 'e2e-flaky')).transitions.some((tr) => tr.from_state === 'half_open' && tr.to_state === 'open'),
        30_000,
        'a failed probe',
      );
      const callsSoFar = flakyCalls.length;
      const failedProbes = await metric(
        stack,
        /eventyard_dispatcher_breaker_transitions_total\{[^}]*processor="e2e-flaky"[^}]*from="half_open"[^}]*to="open"[^}]*\} (\d+)/,
      );
      assert.ok(failedProbes >= 1, `failed probes counted: ${failedProbes}`);
      // 3 failures opened it; after that only probes (at most one running when the calls were counted).
      assert.ok(callsSoFar <= 3 + failedProbes + 1, `calls while open are probes only: ${callsSoFar} calls, ${failedProbes} failed probes`);
      const counts = await deliveryCounts(stack, 'e2e-flaky');
      assert.equal(counts.dead ?? 0, 0, 'no retries burnt to death while open');

      // 4. The endpoint recovers: a probe succeeds, the breaker closes, every event arrives, none dead.
      flakyDown = false;
      await waitUntil(
        async () => ((await deliveryCounts(stack, 'e2e-flaky')).succeeded ?? 0) === all.length,
        60_000,
        'every event delivered to the recovered processor',
      );
      const closed = await health(stack, 'e2e-flaky');
      assert.equal(closed.health.state, 'closed');
      const path = closed.transitions.map((tr) => `${tr.from_state}>${tr.to_state}`).reverse();
      assert.equal(path[0], 'closed>open');
      assert.equal(path.at(-1), 'half_open>closed');
      assert.ok(path.includes('open>half_open') && path.includes('half_open>open'), path.join(' '));
      assert.deepEqual(await deliveryCounts(stack, 'e2e-flaky'), { succeeded: all.length });
      assert.deepEqual(new Set(flakyCalls.filter((c) => c.ok).map((c) => c.event_id)), new Set(all), 'every event delivered');
      assert.ok(Math.max(...flakyCalls.map((c) => c.retry_times)) < 9, 'no event came near its retry budget');
      const attempts = (await stack.knex('delivery_attempts').where({ dispatcher_id: 'e2e-flaky' }).count('* as n')) as Array<{ n: string }>;
      assert.equal(Number(attempts[0]?.n), flakyCalls.length, 'every call is in the history');
      assert.equal(await metric(stack, /eventyard_dispatcher_breaker_state\{[^}]*processor="e2e-flaky"[^}]*state="closed"[^}]*\} (\d+)/), 1);
      assert.equal(new Set(healthySeen).size, all.length);

      // The same load once the breaker is closed, for comparison (printed, not asserted).
      const control = await report('pay', 20);
      await waitUntil(() => control.every((id) => healthySeen.includes(id)), 30_000, 'the control batch at the healthy processor');
      const latency = (values: number[]) =>
        `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms (n=${values.length})`;
      t.diagnostic(
        `healthy processor, Report→Dispatch latency, events reported before the other breaker opened (includes consumer start-up): ${latency(latencies(first))}`,
      );
      t.diagnostic(`healthy processor, Report→Dispatch latency, events reported while the other breaker was open: ${latency(latencies(second))}`);
      t.diagnostic(`healthy processor, Report→Dispatch latency, every breaker closed (control): ${latency(latencies(control))}`);

      // 5. A processor that keeps failing longer than auto_pause_after_ms is paused, with the reason.
      const audits = await report('audit', 3);
      await waitUntil(async () => (await health(stack, 'e2e-audit')).paused, 60_000, 'the failing processor paused');
      const paused = await health(stack, 'e2e-audit');
      assert.match(paused.health.auto_pause?.reason ?? '', /^failing without a success since .* \(auto_pause_after_ms 2000\); last: 503/);
      const pausedView = await admin(stack, 'GET', '/v1/processor/e2e-audit');
      assert.equal((pausedView.body.processor_conf_info as Json).paused, true);
      assert.equal(await metric(stack, /eventyard_dispatcher_auto_pauses_total\{[^}]*processor="e2e-audit"[^}]*\} (\d+)/), 1);
      const auditCounts = await deliveryCounts(stack, 'e2e-audit');
      assert.equal(auditCounts.dead ?? 0, 0);
      assert.equal(auditCounts.succeeded ?? 0, 0);

      // Fixed and resumed by the operator: everything waiting is delivered, the reason is gone.
      auditDown = false;
      const resumed = await admin(stack, 'POST', '/v1/processors/e2e-audit/resume', {});
      assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
      await waitUntil(
        async () => ((await deliveryCounts(stack, 'e2e-audit')).succeeded ?? 0) === audits.length,
        60_000,
        'the paused processor catching up after resume',
      );
      assert.equal((await health(stack, 'e2e-audit')).health.auto_pause, null);
      assert.deepEqual(new Set(auditCalls.filter((c) => c.ok).map((c) => c.event_id)), new Set(audits));

      // 6. The transitions and the automatic pause were published on eventyard.status, keyed by processor.
      const kafka = new Kafka({ brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `e2e-breaker-status-${Date.now()}` });
      const states: string[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: 'eventyard.status', fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            const change = parseStatusChange(message.value);
            if (change?.kind === 'processor') {
              assert.equal(message.key?.toString(), change.dispatcher_id, 'record key = dispatcher_id');
              states.push(`${change.dispatcher_id}:${change.state}`);
            }
          },
        });
        await waitUntil(() => states.includes('e2e-audit:auto_paused') && states.includes('e2e-flaky:closed'), 30_000, 'processor changes on eventyard.status');
        assert.deepEqual(states.filter((s) => s.startsWith('e2e-flaky:')).slice(0, 2), ['e2e-flaky:open', 'e2e-flaky:half_open']);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      client.close();
    }
  } finally {
    for (const server of servers) await server.close();
  }
});
