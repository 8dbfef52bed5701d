// The offset watermark in the consume loop: with one delivery stuck, the records after it finish but the
// committed offset stays at the stuck one; a dispatcher shut down in that state abandons it, and the
// next dispatcher resumes from it (what came before is never delivered again; what came after may be). The window pauses a partition and resumes it.
// A rebalance (another dispatcher joins) stops what was queued before the partitions move, so one key is
// never delivered from two positions at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTopics, Topics } from '@eventyard/core';
import { parseStatusChange } from '@eventyard/evhub';
import { encodeMessage } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { consumerGroupId } from '../../src/consume/processor-consumer.ts';
import { heldDispatchServer, PARTITIONS, startDispatcher, task, waitFor, type DispatcherFixture } from '../fixture.ts';

async function committedOffset(f: DispatcherFixture, dispatcherId: string, partition: number): Promise<string | undefined> {
  const admin = f.kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: consumerGroupId(dispatcherId), topics: [Topics.deliveries(dispatcherId)] });
    return topic?.partitions.find((p) => p.partition === partition)?.offset;
  } finally {
    await admin.disconnect();
  }
}

async function produceToPartition(f: DispatcherFixture, dispatcherId: string, partition: number, payloads: string[]): Promise<void> {
  const topic = Topics.deliveries(dispatcherId);
  await ensureTopics(f.kafka, [topic], { partitions: PARTITIONS });
  const producer = f.kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: payloads.map((data, i) => ({
        partition,
        key: `k${i}`,
        value: encodeMessage('eventyard.v1.DeliveryTask', { ...task(`60${i}`, data), dispatcher_id: dispatcherId }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

test('offsets are committed only below the lowest unfinished record; a restart resumes from it', async (t) => {
  const f = await startDispatcher(t, { EY_SHUTDOWN_GRACE_MS: '200' });
  const calls = new Map<string, number>();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req) => {
      const n = (calls.get(req.event_id) ?? 0) + 1;
      calls.set(req.event_id, n);
      // The first call of "hold" never answers in time; a second one (after the restart) succeeds.
      if (req.event?.data.toString() === 'hold' && n === 1) await held;
      return {};
    },
  });
  t.after(() => server.close(0));
  await f.register({ dispatcher_id: 'wm', addr: `127.0.0.1:${server.port}`, concurrency: 8, timeout: 60_000 });
  await produceToPartition(f, 'wm', 0, ['a', 'hold', 'c', 'd', 'e']);

  await waitFor(() => ['600', '602', '603', '604'].every((id) => calls.get(id) === 1) && calls.get('601') === 1, 20_000, 'four deliveries done, one held');
  await waitFor(async () => (await committedOffset(f, 'wm', 0)) === '1', 10_000, 'commit up to the held record');
  const count = (await f.db.knex('delivery_attempts').where({ dispatcher_id: 'wm' }).count<Array<{ count: string }>>('* as count'))[0]?.count;
  assert.equal(count, '4', 'the four finished deliveries are recorded');
  // Watch a few commit intervals: the committed offset must not pass the held record.
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await committedOffset(f, 'wm', 0), '1');
  }
  assert.equal(f.app.consumers.consumer('wm')?.inFlight, 1);

  // Shut down with the record still held (grace 200 ms): it is abandoned, not committed.
  await f.app.close();
  assert.equal(await committedOffset(f, 'wm', 0), '1');
  const next = await f.startAnother();
  await waitFor(() => calls.get('601') === 2, 20_000, 'the held record delivered again');
  await waitFor(async () => (await committedOffset(f, 'wm', 0)) === '5', 10_000, 'commit past every record');
  assert.equal(calls.get('600'), 1, 'the record below the watermark is not delivered again');
  // 602-604 finished before the shutdown but above the watermark: at-least-once delivers them again.
  for (const id of ['602', '603', '604']) assert.ok((calls.get(id) ?? 0) >= 1);
  assert.equal(next.consumers.consumer('wm')?.inFlight, 0);
});

test('a full in-flight window pauses the partition until half of it finished', async (t) => {
  const f = await startDispatcher(t, { EY_DISPATCH_MAX_IN_FLIGHT_PER_PARTITION: '4' });
  const { seen, release, server } = await heldDispatchServer(t);
  await f.register({ dispatcher_id: 'window', addr: `127.0.0.1:${server.port}`, concurrency: 100, timeout: 60_000 });
  await produceToPartition(f, 'window', 1, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  await waitFor(() => seen.length === 4, 20_000, 'the window filled');
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.length, 4, 'no record beyond the window is taken while it is full');
  }
  assert.equal(f.app.consumers.consumer('window')?.inFlight, 4);
  release();
  await waitFor(() => new Set(seen).size === 10, 20_000, 'the rest once resumed');
});

test("deliveries beyond the processor's concurrency wait for a slot, and /metrics says how many", async (t) => {
  const f = await startDispatcher(t);
  const { seen, release, server } = await heldDispatchServer(t);
  await f.register({ dispatcher_id: 'slots', addr: `127.0.0.1:${server.port}`, concurrency: 2, timeout: 60_000 });
  await produceToPartition(f, 'slots', 0, ['a', 'b', 'c', 'd', 'e', 'f']);
  const waiting = async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${f.app.ports.health}/metrics`)).text();
    return Number(/eventyard_dispatcher_slot_waiting\{[^}]*processor="slots"[^}]*\} (\d+)/.exec(metrics)?.[1]);
  };
  await waitFor(() => seen.length === 2 && f.app.consumers.consumer('slots')?.waitingForSlot === 4, 20_000, 'two calls running, four waiting');
  assert.equal(await waiting(), 4);
  release();
  await waitFor(() => new Set(seen).size === 6, 20_000, 'the rest once slots freed');
  await waitFor(async () => (await waiting()) === 0, 5000, 'nothing waits');
});

test('a rebalance cancels queued deliveries and drains started ones before the partitions move', async (t) => {
  const f = await startDispatcher(t);
  const PER_KEY = 12;
  const HELD = 2;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const arrivals = new Map<string, number[]>();
  const calls = new Map<string, number>();
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req) => {
      const [key, n] = (req.event?.data.toString() ?? '').split('/');
      arrivals.set(key ?? '', [...(arrivals.get(key ?? '') ?? []), Number(n)]);
      const count = (calls.get(req.event_id) ?? 0) + 1;
      calls.set(req.event_id, count);
      // The first call of each key's record HELD answers only once the rebalance began.
      if (Number(n) === HELD && count === 1) await held;
      return {};
    },
  });
  t.after(() => server.close(0));
  await f.register({ dispatcher_id: 'moving', addr: `127.0.0.1:${server.port}`, concurrency: 8, timeout: 60_000 });
  // One key per partition, so each partition is one chain of PER_KEY records in order.
  const tasks = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let n = 0; n < PER_KEY; n++)
      tasks.push({ key: `key${p}`, partition: p, task: { ...task(`7${p}${String(n).padStart(2, '0')}`, `key${p}/${n}`), dispatcher_id: 'moving' } });
  }
  const topic = Topics.deliveries('moving');
  await ensureTopics(f.kafka, [topic], { partitions: PARTITIONS });
  const producer = f.kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({
    topic,
    acks: -1,
    messages: tasks.map((m) => ({ key: m.key, partition: m.partition, value: encodeMessage('eventyard.v1.DeliveryTask', m.task) })),
  });

  const consumer = () => f.app.consumers.consumer('moving');
  await waitFor(
    () => (arrivals.get('key0')?.length ?? 0) === HELD + 1 && (arrivals.get('key1')?.length ?? 0) === HELD + 1,
    20_000,
    'each key delivered up to its held record',
  );
  await waitFor(() => consumer()?.inFlight === PARTITIONS * (PER_KEY - HELD), 20_000, 'the rest queued behind the held records');
  // A second dispatcher joins: the group rebalances and one partition moves to it.
  const other = await f.startAnother();
  await waitFor(() => consumer()?.inFlight === PARTITIONS, 20_000, 'what was queued is cancelled; only the started deliveries run');
  release();
  await waitFor(() => [...calls.keys()].length === PARTITIONS * PER_KEY, 30_000, 'every record delivered');
  await waitFor(() => other.consumers.consumer('moving')?.state === 'running', 20_000, 'the second dispatcher consumes');
  // Each key arrives in order, once: the queued records were delivered by the partition's next owner
  // only, from the offset committed after the held ones finished.
  const inOrder = Array.from({ length: PER_KEY }, (_, n) => n);
  for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(arrivals.get(`key${p}`), inOrder, `key${p}`);
  // Committed past every record: every outcome is recorded.
  await waitFor(
    async () => {
      for (let p = 0; p < PARTITIONS; p++) if ((await committedOffset(f, 'moving', p)) !== String(PER_KEY)) return false;
      return true;
    },
    30_000,
    'commit past every record',
  );
  const attempts = await f.db.knex('delivery_attempts').where({ dispatcher_id: 'moving' }).count<Array<{ count: string }>>('* as count');
  assert.equal(attempts[0]?.count, String(PARTITIONS * PER_KEY), 'one attempt recorded per record: a cancelled delivery records none');
});

test('an offset is committed only once the status changes of the attempts below it are acknowledged', async (t) => {
  // Status changes wait up to a second for company, commits come every 50 ms: a commit that did not send
  // them first would be seen long before they reach eventyard.status.
  const f = await startDispatcher(t, { EY_DISPATCH_STATUS_LINGER_MS: '1000' });
  const server = await startDispatchServer({ host: '127.0.0.1', handler: () => ({}) });
  t.after(() => server.close(0));
  await f.register({ dispatcher_id: 'st', addr: `127.0.0.1:${server.port}`, concurrency: 8, timeout: 10_000 });
  const admin = f.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const statusRecords = async (): Promise<number> => (await admin.fetchTopicOffsets(Topics.status)).reduce((sum, p) => sum + Number(p.high), 0);
  await produceToPartition(f, 'st', 0, ['a', 'b', 'c']);
  await waitFor(async () => (await committedOffset(f, 'st', 0)) === '3', 20_000, 'all three committed');
  assert.ok((await statusRecords()) >= 3, 'the status changes were on eventyard.status before their offsets were committed');
  const changes = (await f.readTopic(Topics.status, (records) => records.length >= 3)).map((r) => parseStatusChange(r.value));
  assert.deepEqual(changes.map((c) => (c?.kind === 'delivery' ? [c.event_id, c.status] : c?.kind)).sort(), [
    ['600', 'succeeded'],
    ['601', 'succeeded'],
    ['602', 'succeeded'],
  ]);
});
