// HistoryWriter against a real database: re-writing a round is harmless (crash replay), a dispatcher
// status already written is kept, and a row Postgres refuses as data costs only its own event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricsRegistry, silentLogger } from '@eventyard/core';
import { setDeliveryStatus, type DeliveryInput, type EventInput } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { HistoryWriter } from '../../src/history/history-writer.ts';
import { createRouterMetrics } from '../../src/metrics.ts';

const event = (id: string, extra: Partial<EventInput> = {}): EventInput => ({ event_id: id, app_id: 'shop', topic_id: 'order', status: 'routed', payload: Buffer.from(id), ...extra });
const delivery = (id: string, dispatcherId: string): DeliveryInput => ({ event_id: id, dispatcher_id: dispatcherId, app_id: 'shop', topic_id: 'order', status: 'pending' });

test('writing the same round twice changes nothing and keeps what the dispatcher wrote since', async (t) => {
  const { knex } = await createDatabase(t);
  const writer = new HistoryWriter({ knex, logger: silentLogger(), metrics: createRouterMetrics(createMetricsRegistry('router-test')) });
  const events = [event('1'), event('2', { status: 'filtered' })];
  const deliveries = [delivery('1', 'a'), delivery('1', 'b')];
  await writer.write(events, deliveries);
  await setDeliveryStatus(knex, { ...delivery('1', 'a'), status: 'succeeded' });
  await writer.write(events, deliveries);
  const rows = (await knex('deliveries').orderBy('dispatcher_id').select('dispatcher_id', 'status')) as Array<{ dispatcher_id: string; status: string }>;
  assert.deepEqual(
    rows.map((r) => [r.dispatcher_id, r.status]),
    [
      ['a', 'succeeded'],
      ['b', 'pending'],
    ],
  );
  const stored = (await knex('events').orderBy('event_id').select('event_id', 'status')) as Array<{ event_id: string; status: string }>;
  assert.deepEqual(
    stored.map((r) => [r.event_id, r.status]),
    [
      ['1', 'routed'],
      ['2', 'filtered'],
    ],
  );
});

test('an event Postgres refuses is left out and counted; the rest of the round is written', async (t) => {
  const { knex } = await createDatabase(t);
  const registry = createMetricsRegistry('router-test');
  const writer = new HistoryWriter({ knex, logger: silentLogger(), metrics: createRouterMetrics(registry) });
  // NUL cannot be stored in text: the decoder refuses such envelopes, this proves the last line of defence.
  await writer.write([event('1'), event('2', { app_id: 'bad\u0000app' }), event('3')], [delivery('1', 'a'), delivery('3', 'a')]);
  const ids = ((await knex('events').orderBy('event_id').pluck('event_id')) as string[]).map(String);
  assert.deepEqual(ids, ['1', '3']);
  assert.equal(((await knex('deliveries').pluck('event_id')) as string[]).length, 2);
  assert.match(await registry.metrics(), /eventyard_router_record_failures_total\{[^}]*\} 1/);
});

test('a round larger than one statement’s parameter limit is written in chunks', async (t) => {
  const { knex } = await createDatabase(t);
  const writer = new HistoryWriter({ knex, logger: silentLogger(), metrics: createRouterMetrics(createMetricsRegistry('router-test')) });
  const events = Array.from({ length: 5000 }, (_, i) => event(String(i + 1)));
  const deliveries = events.flatMap((e) => [delivery(e.event_id, 'a'), delivery(e.event_id, 'b')]);
  await writer.write(events, deliveries);
  const [{ count }] = (await knex('deliveries').count({ count: '*' })) as [{ count: string }];
  assert.equal(Number(count), 10_000);
});
