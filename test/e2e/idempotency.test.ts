// Idempotency over real processes (issue 6): concurrent Reports with one option.idempotent key for the
// same (app_id, topic_id) get one event_id, and the event is delivered once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startStack } from './stack.ts';

const DUPLICATES = 50;

test(`idempotency: ${DUPLICATES} concurrent Reports with one key → one event_id, one delivery`, async (t) => {
  const stack = await startStack(t);
  const collector = await startCollector(t);
  await registerProcessor(stack, { dispatcher_id: 'e2e-idem', app_id: 'shop', topic_id: 'idem', protocol_type: 'grpcSend', addr: collector.addr, timeout: 2000 });
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
  const events = await stack.knex('events').where({ app_id: 'shop', topic_id: 'idem' }).whereNot({ event_id: marker.event_id }).where('event_id', '>=', eventId);
  assert.equal(events.length, 1, 'one event row (besides the marker) from the duplicates');
});
