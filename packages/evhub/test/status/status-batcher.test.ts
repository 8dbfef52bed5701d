// StatusBatcher: changes added within the linger leave in one send, in order; flush() sends at once and
// waits for the acknowledgement; a full batch does not wait; a failed send is counted, never thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopicMessages } from 'kafkajs';
import { Registry } from 'prom-client';
import { silentLogger } from '@eventyard/core';
import { deliveryStatusChange, parseStatusChange, StatusBatcher, StatusPublisher } from '../../src/index.ts';

const eventIdOf = (value: Buffer | string | null): string => {
  const parsed = parseStatusChange(value);
  return parsed?.kind === 'delivery' ? parsed.event_id : '';
};

/** A producer that records each send's event ids and completes it when told. */
function heldProducer() {
  const sends: Array<{ ids: string[]; settle: (err?: Error) => void }> = [];
  const producer = {
    send: (topicMessages: readonly TopicMessages[]) =>
      new Promise<void>((resolve, reject) => {
        const ids = topicMessages.flatMap((t) => t.messages.map((m) => eventIdOf(m.value)));
        sends.push({ ids, settle: (err) => (err === undefined ? resolve() : reject(err)) });
      }),
  };
  return { sends, producer };
}

const change = (id: number) =>
  deliveryStatusChange({ event_id: String(id), app_id: 'shop', topic_id: 'order', dispatcher_id: 'billing', status: 'succeeded', attempt: 1, at: new Date(0) });

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('changes added within the linger leave in one send, in the order added', async () => {
  const { sends, producer } = heldProducer();
  const batcher = new StatusBatcher({ publisher: new StatusPublisher({ logger: silentLogger() }), producer, lingerMs: 30 });
  batcher.add([change(1), change(2)]);
  batcher.add([]);
  batcher.add([change(3)]);
  assert.equal(sends.length, 0, 'nothing sent before the linger ends');
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(
    sends.map((s) => s.ids),
    [['1', '2', '3']],
  );
  sends[0]?.settle();
  await batcher.flush();
});

test('flush() sends what waits at once and resolves only once every earlier send is acknowledged', async () => {
  const { sends, producer } = heldProducer();
  const batcher = new StatusBatcher({ publisher: new StatusPublisher({ logger: silentLogger() }), producer, lingerMs: 60_000 });
  batcher.add([change(1)]);
  const flushed = batcher.flush();
  assert.deepEqual(
    sends.map((s) => s.ids),
    [['1']],
  );
  batcher.add([change(2)]);
  const again = batcher.flush();
  assert.equal(await settled(flushed), false, 'waits for the acknowledgement');
  sends[0]?.settle();
  assert.equal(await settled(flushed), true);
  assert.equal(await settled(again), false, 'the second flush waits for its own send too');
  sends.at(-1)?.settle();
  await again;
  assert.deepEqual(sends.map((s) => s.ids).flat(), ['1', '2']);
  await batcher.flush(); // nothing waiting: resolves at once
});

test('a full batch leaves without the linger; a failed send is counted and flush() still resolves', async () => {
  const { sends, producer } = heldProducer();
  const registry = new Registry();
  const batcher = new StatusBatcher({ publisher: new StatusPublisher({ logger: silentLogger(), registry }), producer, lingerMs: 60_000, maxChanges: 3 });
  batcher.add([change(1), change(2)]);
  assert.equal(sends.length, 0);
  batcher.add([change(3), change(4)]);
  assert.deepEqual(
    sends.map((s) => s.ids),
    [['1', '2', '3', '4']],
  );
  const flushed = batcher.flush();
  sends[0]?.settle(new Error('broker down'));
  await flushed;
  const metric = await registry.getSingleMetricAsString('eventyard_status_changes_published_total');
  assert.match(metric, /outcome="failed"\} 4/);
});

test('a linger of 0 sends every add at once', () => {
  const { sends, producer } = heldProducer();
  const batcher = new StatusBatcher({ publisher: new StatusPublisher({ logger: silentLogger() }), producer, lingerMs: 0 });
  batcher.add([change(1)]);
  batcher.add([change(2)]);
  assert.deepEqual(
    sends.map((s) => s.ids),
    [['1'], ['2']],
  );
  for (const s of sends) s.settle();
});
