// The offset watermark in the consume loop: with one delivery stuck, the records after it finish but the
// committed offset stays at the stuck one; a dispatcher shut down in that state abandons it, and the
// next dispatcher resumes from it (what came before is never delivered again; what came after may be). The window pauses a partition and resumes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTopics, Topics } from '@eventyard/core';
import { encodeMessage } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { consumerGroupId } from '../../src/consume/processor-consumer.ts';
import { PARTITIONS, startDispatcher, task, waitFor, type DispatcherFixture } from '../fixture.ts';

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
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const seen: string[] = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req) => {
      seen.push(req.event_id);
      await gate;
      return {};
    },
  });
  t.after(() => server.close(0));
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
