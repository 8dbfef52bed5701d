// queryEvents / queryDeliveries against a model of the seeded history: every filter (and several
// combined) returns exactly the rows the model says, newest first, and paging through with a small
// limit and the last id as cursor returns the same rows exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DELIVERY_STATUSES,
  queryDeliveries,
  queryEvents,
  recordAttempts,
  recordDeliveries,
  recordEvents,
  type AttemptInput,
  type DeliveryListQuery,
  type DeliveryStatus,
  type EventListQuery,
  type Knex,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const BASE_MS = Date.UTC(2026, 0, 1);
const EVENTS = 60;
const DISPATCHERS = ['billing', 'audit', 'search'] as const;
const TRIED: readonly DeliveryStatus[] = ['succeeded', 'failed', 'dead'];

interface ModelEvent {
  event_id: string;
  app_id: string;
  topic_id: string;
  status: string;
  created_at: Date;
}
interface ModelDelivery {
  event_id: string;
  dispatcher_id: string;
  app_id: string;
  topic_id: string;
  status: DeliveryStatus;
  created_at: Date;
  manual: boolean;
}

function model(): { events: ModelEvent[]; deliveries: ModelDelivery[] } {
  const events: ModelEvent[] = [];
  const deliveries: ModelDelivery[] = [];
  for (let i = 1; i <= EVENTS; i++) {
    const event: ModelEvent = {
      event_id: String(1_000_000 + i),
      app_id: i % 2 === 0 ? 'shop' : 'blog',
      topic_id: ['order', 'user', 'mail'][i % 3] ?? 'order',
      status: i % 5 === 0 ? 'filtered' : i % 7 === 0 ? 'no_subscribers' : 'routed',
      created_at: new Date(BASE_MS + i * 1000),
    };
    events.push(event);
    if (event.status !== 'routed') continue;
    DISPATCHERS.forEach((dispatcher_id, d) => {
      if ((dispatcher_id === 'billing' && i % 2 !== 0) || (dispatcher_id === 'audit' && i % 3 !== 0)) return;
      const status = DELIVERY_STATUSES[(i + d) % DELIVERY_STATUSES.length] ?? 'pending';
      deliveries.push({
        event_id: event.event_id,
        dispatcher_id,
        app_id: event.app_id,
        topic_id: event.topic_id,
        status,
        // Deliveries are created in event order, a little later.
        created_at: new Date(event.created_at.getTime() + 100 + d),
        manual: TRIED.includes(status) && i % 4 === 0,
      });
    });
  }
  return { events, deliveries };
}

async function seed(knex: Knex, m: ReturnType<typeof model>): Promise<void> {
  await recordEvents(
    knex,
    m.events.map((e) => ({ ...e })),
  );
  await recordDeliveries(
    knex,
    m.deliveries.map(({ event_id, dispatcher_id, app_id, topic_id }) => ({ event_id, dispatcher_id, app_id, topic_id, status: 'pending' as const })),
  );
  const attempts: AttemptInput[] = [];
  for (const d of m.deliveries) {
    if (!TRIED.includes(d.status)) continue;
    const base = { event_id: d.event_id, dispatcher_id: d.dispatcher_id, app_id: d.app_id, topic_id: d.topic_id, retry_times: 0, repeat_times: 0 };
    const started_at = new Date(d.created_at.getTime() + 10);
    const outcome = d.status === 'succeeded' ? 'success' : 'failure';
    attempts.push({ ...base, started_at, finished_at: new Date(started_at.getTime() + 20), outcome, delivery_status: d.manual ? 'failed' : d.status });
    if (d.manual)
      attempts.push({ ...base, trigger: 'manual', started_at, finished_at: new Date(started_at.getTime() + 30), outcome, delivery_status: d.status });
  }
  await recordAttempts(knex, attempts);
  // Other statuses as the dispatcher sets them; created_at as the model has it (the column defaults to now()).
  for (const d of m.deliveries) {
    await knex('deliveries').where({ event_id: d.event_id, dispatcher_id: d.dispatcher_id }).update({ status: d.status, created_at: d.created_at });
  }
}

const newestEventsFirst = (ids: string[]) => [...ids].sort((a, b) => Number(b) - Number(a));

function expectedEvents(m: ReturnType<typeof model>, q: Omit<EventListQuery, 'limit'>): string[] {
  const statuses = q.statuses ?? undefined;
  const outcome = q.outcome === undefined ? undefined : q.outcome === 'success' ? ['succeeded'] : ['failed', 'dead'];
  const hasDeliveryFilter = q.dispatcher_id !== undefined || statuses !== undefined || outcome !== undefined || q.retry_source !== undefined;
  const matches = (d: ModelDelivery) =>
    (q.dispatcher_id === undefined || d.dispatcher_id === q.dispatcher_id) &&
    (statuses === undefined || statuses.includes(d.status)) &&
    (outcome === undefined || outcome.includes(d.status)) &&
    (q.retry_source === undefined || d.manual === (q.retry_source === 'manual'));
  return newestEventsFirst(
    m.events
      .filter(
        (e) =>
          (q.app_id === undefined || e.app_id === q.app_id) &&
          (q.topic_id === undefined || e.topic_id === q.topic_id) &&
          (q.status === undefined || e.status === q.status) &&
          (q.since === undefined || e.created_at >= q.since) &&
          (q.until === undefined || e.created_at < q.until) &&
          (q.event_ids === undefined || q.event_ids.includes(e.event_id)) &&
          (!hasDeliveryFilter || m.deliveries.some((d) => d.event_id === e.event_id && matches(d))),
      )
      .map((e) => e.event_id),
  );
}

function expectedDeliveries(m: ReturnType<typeof model>, q: Omit<DeliveryListQuery, 'limit'>): string[] {
  const outcome = q.outcome === undefined ? undefined : q.outcome === 'success' ? ['succeeded'] : ['failed', 'dead'];
  return (
    m.deliveries
      .filter(
        (d) =>
          (q.dispatcher_id === undefined || d.dispatcher_id === q.dispatcher_id) &&
          (q.app_id === undefined || d.app_id === q.app_id) &&
          (q.topic_id === undefined || d.topic_id === q.topic_id) &&
          (q.statuses === undefined || q.statuses.includes(d.status)) &&
          (outcome === undefined || outcome.includes(d.status)) &&
          (q.retry_source === undefined || d.manual === (q.retry_source === 'manual')) &&
          (q.since === undefined || d.created_at >= q.since) &&
          (q.until === undefined || d.created_at < q.until) &&
          (q.event_ids === undefined || q.event_ids.includes(d.event_id)),
      )
      // recordDeliveries inserts in (event_id, dispatcher_id) order, so ids follow it.
      .sort((a, b) => Number(b.event_id) - Number(a.event_id) || (b.dispatcher_id < a.dispatcher_id ? -1 : 1))
      .map((d) => `${d.event_id}/${d.dispatcher_id}`)
  );
}

const at = (i: number) => new Date(BASE_MS + i * 1000);

const EVENT_QUERIES: Array<Omit<EventListQuery, 'limit'>> = [
  {},
  { app_id: 'shop' },
  { topic_id: 'user' },
  { app_id: 'blog', topic_id: 'order' },
  { status: 'filtered' },
  { status: 'no_subscribers' },
  { since: at(20), until: at(40) },
  { since: at(55) },
  { until: at(3) },
  { event_ids: ['1000004', '1000017', '1000059', '999'] },
  { dispatcher_id: 'billing' },
  { dispatcher_id: 'audit', statuses: ['succeeded', 'dead'] },
  { statuses: ['cancelled'] },
  { statuses: ['pending', 'scheduled', 'delivering'] },
  { outcome: 'success' },
  { outcome: 'failure', dispatcher_id: 'search' },
  { outcome: 'failure', statuses: ['succeeded'] },
  { outcome: 'failure', statuses: ['dead', 'pending'] },
  { retry_source: 'manual' },
  { retry_source: 'manual', dispatcher_id: 'billing', outcome: 'failure' },
  { retry_source: 'auto', statuses: ['failed'] },
  { retry_source: 'auto' },
  { app_id: 'shop', dispatcher_id: 'search', statuses: ['succeeded', 'failed'], since: at(10) },
  { topic_id: 'mail', statuses: ['filtered'], until: at(50) },
];

const DELIVERY_QUERIES: Array<Omit<DeliveryListQuery, 'limit'>> = [
  {},
  { dispatcher_id: 'billing' },
  { dispatcher_id: 'search', statuses: ['succeeded', 'failed', 'cancelled'] },
  { statuses: ['dead'] },
  { outcome: 'failure' },
  { outcome: 'success', dispatcher_id: 'audit' },
  { outcome: 'success', statuses: ['dead'] },
  { app_id: 'shop' },
  { app_id: 'blog', topic_id: 'user' },
  { since: at(30).getTime() + 100, until: at(45) },
  { event_ids: ['1000002', '1000012', '1000013'] },
  { retry_source: 'manual' },
  { retry_source: 'manual', statuses: ['succeeded'] },
  { retry_source: 'auto', dispatcher_id: 'billing' },
  { retry_source: 'auto', statuses: ['dead', 'failed'], app_id: 'shop' },
].map((q) => ({ ...q, ...(typeof q.since === 'number' ? { since: new Date(q.since) } : {}) }) as Omit<DeliveryListQuery, 'limit'>);

test('every history filter narrows to what the model says, and pages return each row exactly once', async (t) => {
  const { knex } = await createDatabase(t);
  const m = model();
  await seed(knex, m);

  for (const q of EVENT_QUERIES) {
    const expected = expectedEvents(m, q);
    const all = (await queryEvents(knex, { ...q, limit: 1000 })).map((e) => e.event_id);
    assert.deepEqual(all, expected, `events ${JSON.stringify(q)}`);
    const paged: string[] = [];
    for (let before: string | undefined, guard = 0; guard < 100; guard++) {
      const page = await queryEvents(knex, { ...q, limit: 4, ...(before === undefined ? {} : { before }) });
      paged.push(...page.map((e) => e.event_id));
      if (page.length < 4) break;
      before = page.at(-1)?.event_id;
    }
    assert.deepEqual(paged, expected, `events paged ${JSON.stringify(q)}`);
  }
  assert.ok(expectedEvents(m, { outcome: 'failure', statuses: ['succeeded'] }).length === 0, 'the model has an empty case');

  for (const q of DELIVERY_QUERIES) {
    const expected = expectedDeliveries(m, q);
    const key = (d: { event_id: string; dispatcher_id: string }) => `${d.event_id}/${d.dispatcher_id}`;
    const all = await queryDeliveries(knex, { ...q, limit: 1000 });
    assert.deepEqual(all.map(key), expected, `deliveries ${JSON.stringify(q)}`);
    assert.ok(
      all.every((d, i) => i === 0 || BigInt(d.id) < BigInt(all[i - 1]?.id ?? 0)),
      'newest (highest id) first',
    );
    const paged: string[] = [];
    for (let before: string | undefined, guard = 0; guard < 100; guard++) {
      const page = await queryDeliveries(knex, { ...q, limit: 5, ...(before === undefined ? {} : { before }) });
      paged.push(...page.map(key));
      if (page.length < 5) break;
      before = page.at(-1)?.id;
    }
    assert.deepEqual(paged, expected, `deliveries paged ${JSON.stringify(q)}`);
  }
});

test('a delivery row carries its attempts, oldest first, with the manual one marked', async (t) => {
  const { knex } = await createDatabase(t);
  const m = model();
  await seed(knex, m);
  const [manual] = await queryDeliveries(knex, { retry_source: 'manual', limit: 1 });
  assert.ok(manual !== undefined);
  assert.deepEqual(
    manual.attempts.map((a) => [a.attempt_no, a.trigger]),
    [
      [1, 'auto'],
      [2, 'manual'],
    ],
  );
  assert.ok(manual.attempts.every((a) => String(a.delivery_id) === manual.id));
});

test('pages stay exact while new events keep arriving between fetches', async (t) => {
  const { knex } = await createDatabase(t);
  const first = Array.from({ length: 50 }, (_, i) => ({ event_id: String(5000 + i), app_id: 'shop', topic_id: 'order', status: 'routed' }));
  await recordEvents(knex, first);
  await recordDeliveries(
    knex,
    first.map((e) => ({ event_id: e.event_id, dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' as const })),
  );
  const seen: string[] = [];
  const seenDeliveries: string[] = [];
  let before: string | undefined;
  let beforeDelivery: string | undefined;
  for (let round = 0; round < 20; round++) {
    const page = await queryEvents(knex, { dispatcher_id: 'billing', limit: 6, ...(before === undefined ? {} : { before }) });
    const deliveries = await queryDeliveries(knex, {
      dispatcher_id: 'billing',
      statuses: ['pending'],
      limit: 6,
      ...(beforeDelivery === undefined ? {} : { before: beforeDelivery }),
    });
    seen.push(...page.map((e) => e.event_id));
    seenDeliveries.push(...deliveries.map((d) => d.event_id));
    before = page.at(-1)?.event_id ?? before;
    beforeDelivery = deliveries.at(-1)?.id ?? beforeDelivery;
    // Newer events (higher ids) and their deliveries land between page fetches.
    const fresh = [0, 1, 2].map((k) => ({ event_id: String(9000 + round * 3 + k), app_id: 'shop', topic_id: 'order', status: 'routed' }));
    await recordEvents(knex, fresh);
    await recordDeliveries(
      knex,
      fresh.map((e) => ({ event_id: e.event_id, dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' as const })),
    );
    if (page.length < 6 && deliveries.length < 6) break;
  }
  const expected = first.map((e) => e.event_id).reverse();
  assert.deepEqual(seen, expected, 'events: every original row once, newest first, none of the later ones');
  assert.deepEqual(seenDeliveries, expected, 'deliveries likewise');
});
