// Per-processor isolation and per-key order: a stuck consumer does not hold up another processor's
// deliveries; records of one key arrive one at a time in offset order while other keys run in
// parallel; config changes (addr, is_stop) apply without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setProcessorFlags, upsertProcessor } from '@eventyard/db';
import { startDispatchServer } from '@eventyard/sdk';
import { heldDispatchServer, startDispatcher, task, waitFor, waitForDelivery } from './fixture.ts';

test('a stuck processor does not delay another processor', async (t) => {
  const f = await startDispatcher(t);
  const { seen: slowSeen, release: openGate, server: slow } = await heldDispatchServer(t);
  const fastSeen: string[] = [];
  const fast = await startDispatchServer({ host: '127.0.0.1', handler: (req) => (fastSeen.push(req.event_id), { ret: { code: 0, msg: '' } }) });
  t.after(() => fast.close());
  await f.register({ dispatcher_id: 'iso-slow', addr: `127.0.0.1:${slow.port}`, timeout: 60_000, concurrency: 2 });
  await f.register({ dispatcher_id: 'iso-fast', addr: `127.0.0.1:${fast.port}` });

  await f.produceTasks(
    'iso-slow',
    Array.from({ length: 10 }, (_, i) => ({ task: task(`31${i}`, 'slow') })),
  );
  await waitFor(() => slowSeen.length === 2, 20_000, 'the slow processor holding its two slots');
  await f.produceTasks(
    'iso-fast',
    Array.from({ length: 30 }, (_, i) => ({ task: task(`32${String(i).padStart(2, '0')}`, 'fast') })),
  );
  await waitFor(() => new Set(fastSeen).size === 30, 20_000, 'every fast delivery');
  assert.equal(slowSeen.length, 2, 'the slow processor is still stuck at its concurrency limit');
  openGate();
  await waitFor(() => new Set(slowSeen).size === 10, 20_000, 'the slow processor catching up once released');
});

test('same-key records are delivered one at a time in offset order; other keys in parallel', async (t) => {
  const f = await startDispatcher(t);
  const received: Array<{ key: string; n: number }> = [];
  let running = 0;
  let maxRunning = 0;
  const runningPerKey = new Map<string, number>();
  let overlapSameKey = false;
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req) => {
      const [key = '', n = '0'] = (req.event?.data.toString() ?? '').split(':');
      running++;
      maxRunning = Math.max(maxRunning, running);
      runningPerKey.set(key, (runningPerKey.get(key) ?? 0) + 1);
      if ((runningPerKey.get(key) ?? 0) > 1) overlapSameKey = true;
      // Uneven durations: without per-key chains later records would overtake earlier ones.
      await new Promise((resolve) => setTimeout(resolve, Number(n) % 3 === 0 ? 8 : 1));
      received.push({ key, n: Number(n) });
      runningPerKey.set(key, (runningPerKey.get(key) ?? 1) - 1);
      running--;
      return { ret: { code: 0, msg: '' } };
    },
  });
  t.after(() => server.close());
  await f.register({ dispatcher_id: 'keys', addr: `127.0.0.1:${server.port}`, concurrency: 8 });
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  const total = 200;
  await f.produceTasks(
    'keys',
    Array.from({ length: total }, (_, n) => {
      const key = keys[n % keys.length] as string;
      return { key, task: task(`4${String(n).padStart(4, '0')}`, `${key}:${n}`) };
    }),
  );
  await waitFor(() => received.length === total, 30_000, 'every keyed delivery');
  for (const key of keys) {
    const order = received.filter((r) => r.key === key).map((r) => r.n);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `order of key ${key}`,
    );
    assert.equal(order.length, total / keys.length);
  }
  assert.equal(overlapSameKey, false, 'never two deliveries of one key at once');
  assert.ok(maxRunning > 1, 'different keys were delivered in parallel');
});

test('config changes apply without a restart: new addr, is_stop, new processor', async (t) => {
  const f = await startDispatcher(t);
  const seenA: string[] = [];
  const seenB: string[] = [];
  const a = await startDispatchServer({ host: '127.0.0.1', handler: (req) => (seenA.push(req.event_id), {}) });
  const b = await startDispatchServer({ host: '127.0.0.1', handler: (req) => (seenB.push(req.event_id), {}) });
  t.after(() => a.close());
  t.after(() => b.close());
  await f.register({ dispatcher_id: 'live', addr: `127.0.0.1:${a.port}` });
  await f.produceTasks('live', [{ task: task('5001', 'x') }]);
  await waitForDelivery(f, '5001', 'live', ['succeeded']);
  assert.deepEqual(seenA, ['5001']);

  await upsertProcessor(f.db.knex, { dispatcher_id: 'live', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: `127.0.0.1:${b.port}` });
  await waitFor(() => f.app.processors.get('live')?.addr === `127.0.0.1:${b.port}`, 10_000, 'the new addr loaded');
  await f.produceTasks('live', [{ task: task('5002', 'x') }]);
  await waitForDelivery(f, '5002', 'live', ['succeeded']);
  assert.deepEqual(seenB, ['5002']);

  await setProcessorFlags(f.db.knex, 'live', { is_stop: true });
  await waitFor(() => f.app.consumers.consumer('live') === undefined, 10_000, 'the consumer stopped');
  await f.produceTasks('live', [{ task: task('5003', 'x') }]);
  await setProcessorFlags(f.db.knex, 'live', { is_stop: false });
  await waitForDelivery(f, '5003', 'live', ['succeeded']);
  assert.deepEqual(seenB, ['5002', '5003'], 'waited in the topic while stopped, delivered once resumed');
});

test('ordered: true retries in place, holding back later records of the key until the first succeeds', async (t) => {
  const f = await startDispatcher(t);
  const calls: Array<{ id: string; retry: number; passBack: string }> = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req) => {
      calls.push({ id: req.event_id, retry: req.retry_times, passBack: req.pass_back.toString() });
      if (req.event_id === '7001' && req.retry_times < 2) return { ret: { code: 500, msg: 'not yet' }, pass_back: Buffer.from(`p${req.retry_times}`) };
      return {};
    },
  });
  t.after(() => server.close());
  const scheduled = await f.runScheduler();
  await f.register({
    dispatcher_id: 'strict',
    addr: `127.0.0.1:${server.port}`,
    ordered: true,
    concurrency: 4,
    retry_strategy: { retry_count: 3, retry_interval: 50 },
  });
  await f.produceTasks('strict', [
    { key: 'order-1', task: task('7001', 'first') },
    { key: 'order-1', task: task('7002', 'second') },
  ]);
  const delivery = await waitForDelivery(f, '7002', 'strict', ['succeeded']);
  assert.equal(delivery.attempts.length, 1);
  assert.deepEqual(calls, [
    { id: '7001', retry: 0, passBack: '' },
    { id: '7001', retry: 1, passBack: 'p0' },
    { id: '7001', retry: 2, passBack: 'p1' },
    { id: '7002', retry: 0, passBack: '' },
  ]);
  const first = await waitForDelivery(f, '7001', 'strict', ['succeeded']);
  assert.deepEqual(
    first.attempts.map((a) => a.outcome),
    ['failure', 'failure', 'success'],
  );
  assert.equal(scheduled.filter((item) => item.timer_id.includes(':strict:')).length, 0, 'no timers: retried in place');
});
