// Repeat events (issue 6, item 3) end to end over real processes: each processor runs its own chain of
// occurrences (repeat_times 0, 1, 2, …) scheduled through the delay-scheduler; a chain ends by count or
// by end_time; a 30000 stops only that processor's chain; a cron repeat fires on cron boundaries;
// DELETE /v1/events/:id/schedule stops an unbounded chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventTrigger, ReportReq } from '@eventyard/proto';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { startStack, waitUntil, adminCall as admin, type RunningStack } from './stack.ts';

type Json = Record<string, unknown>;

interface Received {
  event_id: string;
  repeat_times: number;
  retry_times: number;
  at: number;
}

interface DeliveryView {
  dispatcher_id: string;
  status: string;
  repeat_times: number;
  next_due_at: string | null;
  repeat?: { next_repeat_times: number | null; next_due_at: string | null; cancelled_at: string | null; cancel_reason: string | null };
}

async function deliveryOf(stack: RunningStack, eventId: string, dispatcherId: string): Promise<DeliveryView | undefined> {
  const res = await admin(stack, 'GET', `/v1/events/${eventId}`);
  return ((res.body.deliveries ?? []) as DeliveryView[]).find((d) => d.dispatcher_id === dispatcherId);
}

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

function repeatTrigger(repeat: NonNullable<EventTrigger['repeat_trigger']>): EventTrigger {
  return { trigger_type: 'EVENT_TRIGGER_TYPE_REPEAT', repeat_trigger: repeat };
}

test('repeat events over real processes', async (t) => {
  // One subtest runs a chain without end: the producer's repeat bounds are lifted for this stack.
  const stack = await startStack(t, { env: { EY_REPEAT_MAX_OCCURRENCES: '0', EY_REPEAT_MAX_HORIZON_MS: '0' } });
  const app = 'clock';

  // One Dispatch server per processor, so each chain's occurrences are seen separately.
  const received = new Map<string, Received[]>();
  const names = ['steady', 'quitter', 'forever', 'cron', 'until'] as const;
  for (const name of names) {
    received.set(name, []);
    const server = await startDispatchServer({
      port: 0,
      host: '127.0.0.1',
      handler: async (req) => {
        received.get(name)?.push({ event_id: req.event_id, repeat_times: req.repeat_times, retry_times: req.retry_times, at: Date.now() });
        if (name === 'quitter' && req.repeat_times === 1) return { ret: { code: 30000, msg: 'stop my chain' } };
        return { ret: { code: 0, msg: 'ok' } };
      },
    });
    t.after(() => server.close());
    const topic = name === 'steady' || name === 'quitter' ? 'tick' : name;
    const res = await admin(stack, 'POST', '/v1/processor', {
      processor_conf_info: {
        dispatcher_id: `rep-${name}`,
        app_id: app,
        topic_id: topic,
        protocol_type: 'grpcSend',
        addr: `127.0.0.1:${server.port}`,
        timeout: 2000,
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const of = (name: (typeof names)[number], eventId: string) => (received.get(name) ?? []).filter((r) => r.event_id === eventId);

  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const report = async (request: ReportReq) => {
    const rsp = await client.report(request);
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    return rsp.event_id;
  };

  // Processor config reaches the router eventually (NOTIFY, periodic reload); an event routed before
  // that is no_subscribers. Report plain events until every processor got one.
  const warmIds = new Set<string>();
  const warm = (name: (typeof names)[number]) => (received.get(name) ?? []).some((r) => warmIds.has(r.event_id));
  await waitUntil(
    async () => {
      if (names.every(warm)) return true;
      for (const topic of ['tick', 'cron', 'until', 'forever'])
        warmIds.add(await report({ event: { app_id: app, topic_id: topic, data: Buffer.from('warm-up') } }));
      await waitUntil(() => names.every(warm), 1000, 'warm-up').catch(() => undefined);
      return names.every(warm);
    },
    60_000,
    'a warm-up event at every processor',
  );

  await t.test('interval 1 s, repeat_times 3: three occurrences 0,1,2 per processor, none before its due time; 30000 stops only that processor', async () => {
    const reportedFrom = Date.now();
    const id = await report({
      event: { app_id: app, topic_id: 'tick', data: Buffer.from('tick') },
      trigger: repeatTrigger({
        end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
        repeat_end: { repeat_times: 3 },
        pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL',
        regular_pulser: { interval: { seconds: 1 } },
      }),
    });
    await waitUntil(() => of('steady', id).length >= 3, 30_000, 'three occurrences at rep-steady');
    const steady = of('steady', id);
    assert.deepEqual(
      steady.map((r) => [r.repeat_times, r.retry_times]),
      [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
    );
    // Occurrence n is due at reported_at + n·1 s (reported_at is at or after reportedFrom): never earlier.
    for (const r of steady)
      assert.ok(r.at >= reportedFrom + r.repeat_times * 1000 - 1, `occurrence ${r.repeat_times} arrived ${r.at - reportedFrom} ms after the report`);
    t.diagnostic(`rep-steady arrivals after report (ms): ${steady.map((r) => r.at - reportedFrom).join(', ')}`);

    // The chain ended by count: nothing scheduled after occurrence 2.
    await waitUntil(async () => (await deliveryOf(stack, id, 'rep-steady'))?.repeat?.next_repeat_times === null, 10_000, 'rep-steady chain ended');
    const steadyView = await deliveryOf(stack, id, 'rep-steady');
    assert.equal(steadyView?.repeat?.cancelled_at, null);
    assert.equal(steadyView?.repeat?.next_due_at, null);

    // rep-quitter answered 30000 on occurrence 1: its chain is cancelled and occurrence 2 never reaches it.
    await waitUntil(async () => (await deliveryOf(stack, id, 'rep-quitter'))?.repeat?.cancel_reason === 'consumer', 10_000, 'rep-quitter chain cancelled');
    const quitterView = await deliveryOf(stack, id, 'rep-quitter');
    assert.equal(quitterView?.status, 'cancelled');
    assert.deepEqual(
      of('quitter', id).map((r) => r.repeat_times),
      [0, 1],
    );

    // Quiet for longer than an interval after the last due time: no 4th occurrence, no 3rd for the quitter.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(of('steady', id).length, 3);
    assert.deepEqual(
      of('quitter', id).map((r) => r.repeat_times),
      [0, 1],
    );
    const timers = (await stack.knex('schedules').where({ event_id: id }).count<Array<{ count: string }>>('* as count'))[0]?.count;
    assert.equal(timers, '0', 'no timer left for the event');
  });

  await t.test('a 6-field cron repeat fires on its 2-second boundaries', async () => {
    const id = await report({
      event: { app_id: app, topic_id: 'cron', data: Buffer.from('cron') },
      trigger: repeatTrigger({
        end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
        repeat_end: { repeat_times: 2 },
        pulser_type: 'EVENT_PULSER_TYPE_BY_CRONTAB',
        crontab_pulser: { crontab: '*/2 * * * * *' },
      }),
    });
    await waitUntil(() => of('cron', id).length >= 2, 30_000, 'two cron occurrences');
    const event = (await admin(stack, 'GET', `/v1/events/${id}`)).body.event as Json;
    const reportedMs = new Date(String(event.created_at)).getTime();
    const firstBoundary = Math.ceil(reportedMs / 2000) * 2000;
    const [first, second] = of('cron', id);
    assert.deepEqual([first?.repeat_times, second?.repeat_times], [0, 1]);
    assert.ok((first?.at ?? 0) >= firstBoundary, 'occurrence 0 not before the first boundary at or after the report');
    assert.ok((second?.at ?? 0) >= firstBoundary + 2000, 'occurrence 1 not before the next boundary');
    t.diagnostic(`cron arrivals after their boundary (ms): ${(first?.at ?? 0) - firstBoundary}, ${(second?.at ?? 0) - firstBoundary - 2000}`);
  });

  await t.test('end_time stops a chain: no occurrence after it', async () => {
    const reportedFrom = Date.now();
    const endMs = reportedFrom + 2500;
    const id = await report({
      event: { app_id: app, topic_id: 'until', data: Buffer.from('until') },
      trigger: repeatTrigger({
        end_type: 'EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP',
        repeat_end: { end_time: ts(endMs) },
        pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL',
        regular_pulser: { interval: { seconds: 1 } },
      }),
    });
    // Occurrence n is due at reported_at + n·1 s; those due at or before end_time are delivered (3 unless
    // the Report call itself took over half a second).
    await waitUntil(async () => (await admin(stack, 'GET', `/v1/events/${id}`)).status === 200, 10_000, 'the event routed');
    const event = (await admin(stack, 'GET', `/v1/events/${id}`)).body.event as Json;
    const reportedMs = new Date(String(event.created_at)).getTime();
    const expected = [0, 1, 2, 3].filter((n) => reportedMs + n * 1000 <= endMs);
    await waitUntil(async () => (await deliveryOf(stack, id, 'rep-until'))?.repeat?.next_repeat_times === null, 30_000, 'rep-until chain ended');
    await waitUntil(() => of('until', id).length >= expected.length, 10_000, `${expected.length} occurrences before end_time`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(
      of('until', id).map((r) => r.repeat_times),
      expected,
    );
  });

  await t.test('DELETE /v1/events/:id/schedule stops an unbounded chain', async () => {
    const id = await report({
      event: { app_id: app, topic_id: 'forever', data: Buffer.from('forever') },
      trigger: repeatTrigger({
        end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
        repeat_end: { repeat_times: 0 },
        pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL',
        regular_pulser: { interval: { seconds: 1 } },
      }),
    });
    await waitUntil(() => of('forever', id).length >= 2, 30_000, 'two occurrences of the unbounded chain');
    // The pending occurrence (scheduled by the dispatcher from occurrence 1 on) names its app, so the
    // producer counts it against EY_MAX_PENDING_TIMERS_PER_APP.
    await waitUntil(
      async () => {
        const rows = (await stack.knex('schedules').where({ event_id: id }).select('headers')) as Array<{ headers: Record<string, string> }>;
        return rows.some((row) => row.headers['ey-app-id'] === app);
      },
      10_000,
      'a pending occurrence timer carrying ey-app-id',
    );
    const next = await deliveryOf(stack, id, 'rep-forever');
    assert.ok(next?.next_due_at !== null && next?.next_due_at !== undefined, 'GET shows the next due time');

    const res = await admin(stack, 'DELETE', `/v1/events/${id}/schedule`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body.ret as Json).code, 0);
    assert.equal(typeof res.body.cancelled_timers, 'number');
    const seenAtCancel = of('forever', id).length;

    // At most the occurrence already being handed over when DELETE ran; nothing after it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = of('forever', id).length;
    assert.ok(after <= seenAtCancel + 1, `${after - seenAtCancel} occurrences after the cancel`);
    const view = await deliveryOf(stack, id, 'rep-forever');
    assert.equal(view?.repeat?.cancel_reason, 'admin');
    assert.equal(view?.repeat?.next_due_at, null);
    assert.equal((await admin(stack, 'GET', `/v1/events/${id}`)).body.next_due_at, null);
    assert.equal((await admin(stack, 'DELETE', '/v1/events/12345/schedule')).status, 404);
  });
});
