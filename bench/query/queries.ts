// The queries the query bench times and explain.ts prints: each admin list/filter the history routes
// serve, through the same db functions, with cursors and time ranges picked from the seeded data.
import { processorHistoryStats, queryDeliveries, queryEvents, type Knex } from '@eventyard/db';
import { SPAN_MS } from './seed.ts';

export interface BenchQuery {
  name: string;
  run(): Promise<unknown>;
}

const HOUR_MS = 3600 * 1000;

export async function benchQueries(knex: Knex): Promise<BenchQuery[]> {
  const middle = async (table: string, column: string): Promise<string> => {
    const row = (await knex(table)
      .select(column)
      .orderBy(column)
      .offset(Number(((await knex(table).count('* as n').first()) as { n: string }).n) >> 1)
      .first()) as Record<string, string>;
    return String(row[column]);
  };
  const midDelivery = await middle('deliveries', 'id');
  const midEvent = await middle('events', 'event_id');
  const someEvents = ((await knex('events').select('event_id').orderBy('event_id', 'desc').offset(5000).limit(100)) as Array<{ event_id: string }>).map((r) =>
    String(r.event_id),
  );
  // An hour in the middle of the seeded span: the rows are neither the newest nor the oldest.
  const windowStart = new Date(Date.now() - SPAN_MS / 2);
  const windowEnd = new Date(windowStart.getTime() + HOUR_MS);
  const limit = 100;
  return [
    { name: 'ceiling: SELECT 1', run: () => knex.raw('SELECT 1') },
    { name: 'ceiling: event by primary key', run: () => knex('events').where('event_id', midEvent).first() },
    { name: 'deliveries: dispatcher + status=failed', run: () => queryDeliveries(knex, { dispatcher_id: 'billing', statuses: ['failed'], limit }) },
    { name: 'deliveries: dispatcher + outcome=failure', run: () => queryDeliveries(knex, { dispatcher_id: 'billing', outcome: 'failure', limit }) },
    { name: 'deliveries: dispatcher', run: () => queryDeliveries(knex, { dispatcher_id: 'billing', limit }) },
    { name: 'deliveries: status=dead', run: () => queryDeliveries(knex, { statuses: ['dead'], limit }) },
    { name: 'deliveries: app + topic', run: () => queryDeliveries(knex, { app_id: 'app-3', topic_id: 'topic-2', limit }) },
    { name: 'deliveries: app', run: () => queryDeliveries(knex, { app_id: 'app-3', limit }) },
    { name: 'deliveries: 1h window, 3.5 days ago', run: () => queryDeliveries(knex, { since: windowStart, until: windowEnd, limit }) },
    {
      name: 'deliveries: dispatcher, deep page (cursor mid-table)',
      run: () => queryDeliveries(knex, { dispatcher_id: 'billing', before: midDelivery, limit }),
    },
    {
      name: 'deliveries: dispatcher + failed, deep page',
      run: () => queryDeliveries(knex, { dispatcher_id: 'billing', statuses: ['failed'], before: midDelivery, limit }),
    },
    { name: 'deliveries: retry_source=manual', run: () => queryDeliveries(knex, { retry_source: 'manual', limit }) },
    { name: 'deliveries: limit 1000', run: () => queryDeliveries(knex, { limit: 1000 }) },
    { name: 'events: newest', run: () => queryEvents(knex, { limit }) },
    { name: 'events: app + topic', run: () => queryEvents(knex, { app_id: 'app-3', topic_id: 'topic-2', limit }) },
    { name: 'events: status=no_subscribers', run: () => queryEvents(knex, { status: 'no_subscribers', limit }) },
    { name: 'events: 1h window, 3.5 days ago', run: () => queryEvents(knex, { since: windowStart, until: windowEnd, limit }) },
    { name: 'events: deep page (cursor mid-table)', run: () => queryEvents(knex, { before: midEvent, limit }) },
    { name: 'events: 100 ids', run: () => queryEvents(knex, { event_ids: someEvents, limit }) },
    { name: 'events: delivery_status=dead', run: () => queryEvents(knex, { statuses: ['dead'], limit }) },
    { name: 'events: dispatcher + delivery_status=dead', run: () => queryEvents(knex, { dispatcher_id: 'billing', statuses: ['dead'], limit }) },
    {
      name: 'events: dispatcher + outcome=failure, deep page',
      run: () => queryEvents(knex, { dispatcher_id: 'billing', outcome: 'failure', before: midEvent, limit }),
    },
    { name: 'events: dispatcher (any delivery)', run: () => queryEvents(knex, { dispatcher_id: 'billing', limit }) },
    { name: 'events: app + dispatcher + dead', run: () => queryEvents(knex, { app_id: 'app-3', dispatcher_id: 'billing', statuses: ['dead'], limit }) },
    { name: 'events: retry_source=manual', run: () => queryEvents(knex, { retry_source: 'manual', limit }) },
    { name: 'events: retry_source=auto + dead', run: () => queryEvents(knex, { retry_source: 'auto', statuses: ['dead'], limit }) },
    { name: 'stats: window 1h', run: () => processorHistoryStats(knex, { dispatcherId: 'billing', windowMs: HOUR_MS }) },
    { name: 'stats: window 24h', run: () => processorHistoryStats(knex, { dispatcherId: 'billing', windowMs: 24 * HOUR_MS }) },
    { name: 'stats: window 30d (whole history)', run: () => processorHistoryStats(knex, { dispatcherId: 'billing', windowMs: 30 * 24 * HOUR_MS }) },
  ];
}
