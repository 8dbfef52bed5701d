// HistoryWriter against a real database: re-writing a round is harmless (crash replay), a dispatcher
// status already written is kept, and a row Postgres refuses as data costs only its own event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricsRegistry, silentLogger } from '@eventyard/core';
import { setDeliveryStatus, type DeliveryInput, type EventInput } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { HistoryWriter } from '../../src/history/history-writer.ts';
import { createRouterMetrics } from '../../src/metrics.ts';

const event = (id: string, extra: Partial<EventInput> = {}): EventInput => ({
  event_id: id,
  app_id: 'shop',
  topic_id: 'order',
  status: 'routed',
  payload: Buffer.from(id),
  ...extra,
});
const delivery = (id: string, dispatcherId: string): DeliveryInput => ({
  event_id: id,
  dispatcher_id: dispatcherId,
  app_id: 'shop',
  topic_id: 'order',
  status: 'pending',
});

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

test('an event Postgres refuses is written reduced, with why, and counted; the rest of the round is written', async (t) => {
  const { knex } = await createDatabase(t);
  const registry = createMetricsRegistry('router-test');
  const writer = new HistoryWriter({ knex, logger: silentLogger(), metrics: createRouterMetrics(registry) });
  // NUL cannot be stored in text: the producer and the decoder refuse such envelopes, this proves the last line of defence.
  await writer.write(
    [event('1'), event('2', { app_id: 'bad\u0000app', event_comm: { event_tag: { tag_list: ['t\u0000'] } } }), event('3')],
    [delivery('1', 'a'), delivery('3', 'a')],
  );
  const rows = (await knex('events').orderBy('event_id').select('event_id', 'app_id', 'status', 'status_reason', 'event_comm')) as Array<{
    event_id: string;
    app_id: string;
    status: string;
    status_reason: string | null;
    event_comm: unknown;
  }>;
  assert.deepEqual(
    rows.map((r) => [String(r.event_id), r.app_id, r.status]),
    [
      ['1', 'shop', 'routed'],
      ['2', 'bad\ufffdapp', 'routed'],
      ['3', 'shop', 'routed'],
    ],
    'GET /v1/events/2 answers: its tasks were produced',
  );
  assert.match(rows[1]?.status_reason ?? '', /^history row refused by Postgres \(.*\); stored without its trigger and tags$/);
  assert.equal(rows[1]?.event_comm, null);
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
