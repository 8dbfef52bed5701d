// Idempotency over real processes (issue 6): concurrent Reports with one option.idempotent key for the
// same (app_id, topic_id) get one event_id, and the event is delivered once, also when the duplicates
// are spread over two producer processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startExtraProducer } from './extra-producer.ts';
import { startStack } from './stack.ts';

const DUPLICATES = 50;

test(`idempotency: ${DUPLICATES} concurrent Reports with one key → one event_id, one delivery (one producer, then two)`, async (t) => {
  const stack = await startStack(t);
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-idem',
    app_id: 'shop',
    topic_id: 'idem',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 2000,
  });
  const client = producerClient(t, stack);
  await warmUp(client, [collector], 'shop', 'idem');

  const option = { idempotent: { key: 'order-42-paid', idempotent_time: { seconds: 600 } } };
  const answers = await Promise.all(
    Array.from({ length: DUPLICATES }, (_, i) => client.report({ event: { app_id: 'shop', topic_id: 'idem', data: Buffer.from(`copy ${i}`) }, option })),
  );
  const codes = new Map<number, number>();
  for (const answer of answers) codes.set(answer.ret?.code ?? 0, (codes.get(answer.ret?.code ?? 0) ?? 0) + 1);
  t.diagnostic(`ret.code counts: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.deepEqual([...codes.keys()], [0], 'a duplicate is answered as accepted');
  const ids = new Set(answers.map((a) => a.event_id));
  assert.equal(ids.size, 1, `expected one event_id, got ${[...ids].join(', ')}`);
  const [eventId] = ids;
  assert.ok(eventId !== undefined && eventId !== '');

  // The same key on another topic is a different event.
  const other = await client.report({ event: { app_id: 'shop', topic_id: 'idem-other', data: Buffer.from('other topic') }, option });
  assert.notEqual(other.event_id, eventId);

  await collector.waitFor(eventId, 60_000);
  // A marker reported afterwards on the same topic: once it is delivered, any duplicate would have been too.
  const marker = await client.report({ event: { app_id: 'shop', topic_id: 'idem', data: Buffer.from('marker') } });
  await collector.waitFor(marker.event_id);
  assert.equal(collector.received.filter((r) => r.event_id === eventId).length, 1, 'delivered once');
  assert.equal(collector.received.filter((r) => r.data.startsWith('copy ')).length, 1, 'no other copy delivered');
  const events = await stack
    .knex('events')
    .where({ app_id: 'shop', topic_id: 'idem' })
    .whereNot({ event_id: marker.event_id })
    .where('event_id', '>=', eventId);
  assert.equal(events.length, 1, 'one event row (besides the marker) from the duplicates');

  // Across producer instances: the key is claimed in Postgres, so two processes agree too.
  const { client: second } = await startExtraProducer(t, stack);
  const crossOption = { idempotent: { key: 'order-43-paid', idempotent_time: { seconds: 600 } } };
  const crossAnswers = await Promise.all(
    Array.from({ length: DUPLICATES }, (_, i) =>
      (i % 2 === 0 ? client : second).report({ event: { app_id: 'shop', topic_id: 'idem', data: Buffer.from(`cross ${i}`) }, option: crossOption }),
    ),
  );
  const crossIds = new Set(crossAnswers.map((a) => a.event_id));
  assert.equal(crossIds.size, 1, `two producers: expected one event_id, got ${[...crossIds].join(', ')}`);
  const [crossId] = crossIds;
  assert.ok(crossId !== undefined && crossId !== eventId);
  await collector.waitFor(crossId);
  const crossMarker = await second.report({ event: { app_id: 'shop', topic_id: 'idem', data: Buffer.from('marker 2') } });
  await collector.waitFor(crossMarker.event_id);
  assert.equal(collector.received.filter((r) => r.data.startsWith('cross ')).length, 1, 'two producers: delivered once');
});
