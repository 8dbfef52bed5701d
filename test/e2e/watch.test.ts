// Issue 17 item 2 over real processes: every delivery status change is a record on eventyard.status
// (one versioned JSON shape), the admin streams them as Server-Sent Events (one event until it settles;
// all changes of a filter, resumable with Last-Event-ID without losing any), and the SDK's
// waitForOutcome resolves with each delivery's final status (or times out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { createParser } from 'eventsource-parser';
import { createApp as createAdmin, loadConfig as loadAdminConfig } from '@eventyard/admin';
import { silentLogger } from '@eventyard/core';
import { parseStatusChange, type StatusChange } from '@eventyard/evhub';
import { createReportClient, startDispatchServer, waitForOutcome, WaitForOutcomeTimeoutError } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { E2E_ADMIN_TOKEN, startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

interface SseEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

interface OpenSse {
  status: number;
  events: SseEvent[];
  /** Resolves when the server ended the response. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch stream with the stack's admin token and collects its events as they arrive. */
async function openSse(stack: RunningStack, path: string, headers: Record<string, string> = {}, adminPort = stack.port('admin', 'http')): Promise<OpenSse> {
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${adminPort}${path}`, {
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  if (res.status !== 200 || res.body === null) {
    await res.text();
    return { status: res.status, events, ended: Promise.resolve(), close: () => undefined };
  }
  const parser = createParser({ onEvent: (m) => events.push({ event: m.event ?? 'message', id: m.id, data: JSON.parse(m.data) as Record<string, unknown> }) });
  const body = res.body;
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // aborted by close()
    }
  })();
  return { status: res.status, events, ended, close: () => controller.abort() };
}

const statusEvents = (sse: OpenSse): StatusChange[] => sse.events.filter((e) => e.event === 'status').map((e) => e.data as unknown as StatusChange);
const deliveryKey = (c: StatusChange): string =>
  c.kind === 'delivery' ? `${c.event_id}/${c.dispatcher_id}/${c.status}/${c.attempt}` : `${c.dispatcher_id}/${c.state}`;

test('delivery status changes as a stream: eventyard.status, SSE watch endpoints, waitForOutcome', async (t) => {
  const stack = await startStack(t);
  const app = 'watch-app';
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => (req.event?.topic_id === 'broken' ? { ret: { code: 500, msg: 'always broken' } } : { ret: { code: 0, msg: 'ok' } }),
  });
  t.after(() => server.close());
  const addr = `127.0.0.1:${server.port}`;
  await registerProcessor(stack, { dispatcher_id: 'watch-ok', app_id: app, topic_id: 'ok', protocol_type: 'grpcSend', addr, timeout: 2000 });
  await registerProcessor(stack, {
    dispatcher_id: 'watch-broken',
    app_id: app,
    topic_id: 'broken',
    protocol_type: 'grpcSend',
    addr,
    timeout: 2000,
    retry_strategy: { retry_count: 2, retry_interval: 200 },
  });
  await waitForRouterProcessors(stack, 2);
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const report = async (topic: string): Promise<string> => {
    const rsp = await client.report({ event: { app_id: app, topic_id: topic, data: Buffer.from('{}') } });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    return rsp.event_id;
  };
  const adminUrl = `http://127.0.0.1:${stack.port('admin', 'http')}`;

  await t.test('the watch routes need the admin credential', async () => {
    const res = await fetch(`${adminUrl}/v1/watch`);
    assert.equal(res.status, 401);
    await res.text();
    const bad = await fetch(`${adminUrl}/v1/watch`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'last-event-id': 'garbage' } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { ret: { msg: string } }).ret.msg, /Last-Event-ID/);
  });

  await t.test('eventyard.status holds the changes of a delivered and of a dead event, in the documented shape', async () => {
    const delivered = await report('ok');
    const dead = await report('broken');
    const kafka = new Kafka({ brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-status-${Date.now()}` });
    const records: Array<{ key: string; change: StatusChange }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'eventyard.status', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const change = parseStatusChange(message.value) ?? assert.fail(`not a status change: ${message.value?.toString()}`);
          records.push({ key: message.key?.toString() ?? '', change });
        },
      });
      const of = (id: string) => records.filter((r) => r.change.kind === 'delivery' && r.change.event_id === id);
      await waitUntil(() => of(delivered).some((r) => r.change.kind === 'delivery' && r.change.status === 'succeeded'), 30_000, 'succeeded record');
      await waitUntil(() => of(dead).some((r) => r.change.kind === 'delivery' && r.change.status === 'dead'), 30_000, 'dead record');
      const summary = (id: string) => of(id).map((r) => (r.change.kind === 'delivery' ? `${r.change.status}/${r.change.attempt}/${r.change.final}` : ''));
      assert.deepEqual(summary(delivered), ['pending/0/false', 'succeeded/1/true']);
      assert.deepEqual(summary(dead), ['pending/0/false', 'scheduled/1/false', 'dead/2/true']);
      for (const r of [...of(delivered), ...of(dead)]) {
        assert.equal(r.change.kind, 'delivery');
        if (r.change.kind !== 'delivery') continue;
        assert.equal(r.key, r.change.event_id, 'record key = event_id');
        assert.equal(r.change.v, 1);
        assert.equal(r.change.app_id, app);
      }
      const retry = of(dead)[1]?.change;
      assert.ok(retry?.kind === 'delivery' && retry.error?.includes('always broken') && retry.next_attempt_at !== undefined, JSON.stringify(retry));
      const last = of(dead)[2]?.change;
      assert.ok(last?.kind === 'delivery' && last.dispatcher_id === 'watch-broken' && last.error?.includes('always broken'), JSON.stringify(last));
    } finally {
      await consumer.disconnect();
    }
  });

  await t.test('GET /v1/events/:id/watch streams the current state, then live changes, and ends when every delivery is final', async () => {
    const id = await report('broken');
    const sse = await openSse(stack, `/v1/events/${id}/watch`);
    assert.equal(sse.status, 200);
    await sse.ended;
    const end = sse.events.at(-1);
    assert.equal(end?.event, 'end', JSON.stringify(sse.events));
    assert.deepEqual(
      (end?.data.deliveries as Array<Record<string, unknown>>).map((d) => [d.dispatcher_id, d.status, d.final]),
      [['watch-broken', 'dead', true]],
    );
    const statuses = statusEvents(sse).map((c) => (c.kind === 'delivery' ? c.status : ''));
    assert.equal(statuses.at(-1), 'dead', JSON.stringify(statuses));
    // An event already settled: its state from Postgres, then the end at once.
    const again = await openSse(stack, `/v1/events/${id}/watch`);
    await again.ended;
    assert.deepEqual(
      again.events.map((e) => e.event),
      ['status', 'end'],
    );
    const unknown = await openSse(stack, '/v1/events/abc/watch');
    assert.equal(unknown.status, 400);
  });

  await t.test('GET /v1/watch streams matching changes; a reconnect with Last-Event-ID loses none', async () => {
    const first = await openSse(stack, `/v1/watch?app_id=${app}&topic_id=ok`);
    assert.equal(first.status, 200);
    const before = [await report('ok'), await report('ok')];
    await waitUntil(
      () => before.every((id) => statusEvents(first).some((c) => c.kind === 'delivery' && c.event_id === id && c.status === 'succeeded')),
      30_000,
      'first stream saw both events settle',
    );
    // Disconnect, let more changes happen, come back with the last id the stream sent.
    first.close();
    await first.ended;
    const lastId = first.events.filter((e) => e.id !== undefined).at(-1)?.id;
    assert.ok(lastId !== undefined && /^\d+:\d+(,\d+:\d+)*$/.test(lastId), `position id: ${lastId}`);
    const during = [await report('ok'), await report('ok'), await report('broken')];
    const resumed = await openSse(stack, `/v1/watch?app_id=${app}&topic_id=ok`, { 'last-event-id': lastId });
    assert.equal(resumed.status, 200);
    const after = [await report('ok')];
    const settled = (sse: OpenSse, ids: string[]) =>
      ids.every((id) => statusEvents(sse).some((c) => c.kind === 'delivery' && c.event_id === id && c.status === 'succeeded'));
    await waitUntil(() => settled(resumed, [...during.slice(0, 2), ...after]), 30_000, 'resumed stream saw the changes made while away and after');
    resumed.close();
    await resumed.ended;
    const seen = [...statusEvents(first), ...statusEvents(resumed)];
    for (const id of [...before, ...during.slice(0, 2), ...after]) {
      const mine = seen.filter((c) => c.kind === 'delivery' && c.event_id === id).map(deliveryKey);
      assert.deepEqual(mine, [`${id}/watch-ok/pending/0`, `${id}/watch-ok/succeeded/1`], `every change of ${id}, once`);
    }
    assert.ok(!seen.some((c) => c.kind === 'delivery' && c.topic_id !== 'ok'), 'the filter holds');

    // A new admin instance has none of it in memory: it reads the changes after the id back from Kafka.
    const resumeId = resumed.events.filter((e) => e.id !== undefined).at(-1)?.id ?? '';
    await stack.kill('admin');
    const whileDown = [await report('ok'), await report('ok')];
    await waitUntil(
      async () => {
        const rows = (await stack.knex('deliveries').whereIn('event_id', whileDown).where('status', 'succeeded')) as unknown[];
        return rows.length === whileDown.length;
      },
      30_000,
      'events delivered while the admin was down',
    );
    await stack.start('admin');
    const restarted = await openSse(stack, `/v1/watch?app_id=${app}&topic_id=ok`, { 'last-event-id': resumeId });
    assert.equal(restarted.status, 200);
    await waitUntil(() => settled(restarted, whileDown), 30_000, 'changes made while the admin was down, read back');
    restarted.close();
    await restarted.ended;
    assert.ok(!restarted.events.some((e) => e.event === 'reset'), 'nothing reported missing');
    for (const id of whileDown) {
      const mine = statusEvents(restarted)
        .filter((c) => c.kind === 'delivery' && c.event_id === id)
        .map(deliveryKey);
      assert.deepEqual(mine, [`${id}/watch-ok/pending/0`, `${id}/watch-ok/succeeded/1`], `every change of ${id}, once`);
    }
    assert.ok(
      !statusEvents(restarted).some((c) => c.kind === 'delivery' && [...before, ...during, ...after].includes(c.event_id)),
      'nothing sent before the position again',
    );
  });

  await t.test('two admin instances each stream every change', async () => {
    const second = createAdmin(
      loadAdminConfig({
        EY_DATABASE_URL: stack.databaseUrl,
        EY_KAFKA_BROKERS: stack.kafkaBrokers,
        EY_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
        EY_ADMIN_HOST: '127.0.0.1',
        EY_ADMIN_PORT: '0',
        EY_HEALTH_PORT: '0',
        EY_HEALTH_HOST: '127.0.0.1',
      }),
      { logger: silentLogger(), replayRunner: false },
    );
    await second.start();
    try {
      const one = await openSse(stack, `/v1/watch?dispatcher_id=watch-ok`);
      const two = await openSse(stack, `/v1/watch?dispatcher_id=watch-ok`, {}, second.ports.http);
      const ids = [await report('ok'), await report('ok'), await report('ok')];
      const sawAll = (sse: OpenSse) => ids.every((id) => statusEvents(sse).some((c) => c.kind === 'delivery' && c.event_id === id && c.status === 'succeeded'));
      await waitUntil(() => sawAll(one) && sawAll(two), 30_000, 'both instances streamed every change');
      one.close();
      two.close();
      await Promise.all([one.ended, two.ended]);
      const keys = (sse: OpenSse) =>
        statusEvents(sse)
          .filter((c) => c.kind === 'delivery' && ids.includes(c.event_id))
          .map(deliveryKey)
          .sort();
      assert.deepEqual(keys(one), keys(two));
      assert.equal(keys(one).length, ids.length * 2);
    } finally {
      await second.close();
    }
  });

  await t.test('waitForOutcome resolves with each delivery’s final status, or times out', async () => {
    const okId = await report('ok');
    const seen: string[] = [];
    const outcome = await waitForOutcome(okId, { adminUrl, apiKey: E2E_ADMIN_TOKEN, timeout: 60_000, onStatus: (c) => seen.push(c.status) });
    assert.equal(outcome.event_id, okId);
    assert.deepEqual(
      outcome.deliveries.map((d) => [d.dispatcher_id, d.status, d.final]),
      [['watch-ok', 'succeeded', true]],
    );
    assert.ok(seen.includes('succeeded'));
    const deadId = await report('broken');
    const dead = await waitForOutcome(deadId, { adminUrl, apiKey: E2E_ADMIN_TOKEN, timeout: 60_000 });
    assert.deepEqual(
      dead.deliveries.map((d) => [d.dispatcher_id, d.status]),
      [['watch-broken', 'dead']],
    );
    // An event id that no Report returned never settles.
    await assert.rejects(waitForOutcome('123456789', { adminUrl, apiKey: E2E_ADMIN_TOKEN, timeout: 1500 }), WaitForOutcomeTimeoutError);
    await assert.rejects(waitForOutcome(okId, { adminUrl, apiKey: 'wrong-token-0123456789', timeout: 5000 }), /HTTP 401/);
  });
});
