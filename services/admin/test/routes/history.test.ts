// GET /v1/events and GET /v1/deliveries over real HTTP: each filter narrows to the rows it names,
// pages (cursor = last id) return every row once while new events arrive between fetches, and every
// kind of bad input is a 400 whose message names the parameter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordAttempts, recordDeliveries, recordEvents, type AttemptInput, type DeliveryStatus } from '@eventyard/db';
import { startAdmin, type AdminFixture } from '../fixture.ts';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const id = (n: number) => String(7_000_000_000_000_000_000n + BigInt(n));

interface Row {
  event_id: string;
  [key: string]: unknown;
}

/** Events 1..12: odd ones app "shop", even "blog"; event 4 filtered; one second apart from T0. */
async function seed(admin: AdminFixture): Promise<void> {
  const knex = admin.db.knex;
  await recordEvents(
    knex,
    Array.from({ length: 12 }, (_, i) => ({
      event_id: id(i + 1),
      app_id: (i + 1) % 2 === 1 ? 'shop' : 'blog',
      topic_id: (i + 1) % 3 === 0 ? 'refund' : 'order',
      status: i + 1 === 4 ? 'filtered' : 'routed',
      broadcast: i + 1 === 12,
      created_at: new Date(T0 + (i + 1) * 1000),
    })),
  );
  // billing: events 1-6 succeeded, 7 dead, 8 failed, 9 pending; audit: 2 succeeded, 5 dead (after a manual replay).
  const deliveries: Array<[number, string, DeliveryStatus]> = [
    [1, 'billing', 'succeeded'],
    [2, 'billing', 'succeeded'],
    [3, 'billing', 'succeeded'],
    [5, 'billing', 'succeeded'],
    [6, 'billing', 'succeeded'],
    [7, 'billing', 'dead'],
    [8, 'billing', 'failed'],
    [9, 'billing', 'pending'],
    [2, 'audit', 'succeeded'],
    [5, 'audit', 'dead'],
  ];
  const of = (n: number) => ({ app_id: n % 2 === 1 ? 'shop' : 'blog', topic_id: n % 3 === 0 ? 'refund' : 'order' });
  await recordDeliveries(
    knex,
    deliveries.map(([n, dispatcher_id]) => ({ event_id: id(n), dispatcher_id, ...of(n), status: 'pending' as const })),
  );
  const attempts: AttemptInput[] = deliveries
    .filter(([, , status]) => status !== 'pending')
    .map(([n, dispatcher_id, status]) => ({
      event_id: id(n),
      dispatcher_id,
      ...of(n),
      retry_times: 0,
      repeat_times: 0,
      started_at: new Date(T0 + n * 1000 + 100),
      finished_at: new Date(T0 + n * 1000 + 150),
      outcome: status === 'succeeded' ? 'success' : 'failure',
      delivery_status: status,
      ...(n === 5 && dispatcher_id === 'audit' ? { trigger: 'manual' as const } : {}),
    }));
  await recordAttempts(knex, attempts);
}

const ids = (rows: Row[]) => rows.map((r) => Number(BigInt(r.event_id) - 7_000_000_000_000_000_000n));

test('history lists', async (t) => {
  const admin = await startAdmin(t);
  const { call } = admin;
  await seed(admin);

  await t.test('GET /v1/events: every filter narrows, newest first', async () => {
    const cases: Array<[string, number[]]> = [
      ['', [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
      ['app_id=shop', [11, 9, 7, 5, 3, 1]],
      ['app_id=blog&topic_id=refund', [12, 6]],
      ['status=filtered', [4]],
      [`since=${new Date(T0 + 10_000).toISOString()}`, [12, 11, 10]],
      [`since=${T0 + 3000}&until=${T0 + 5000}`, [4, 3]],
      [`until=2026-06-01T14:00:02%2B02:00`, [1]],
      [`event_id=${id(3)},${id(12)},${id(99)}`, [12, 3]],
      ['dispatcher_id=billing', [9, 8, 7, 6, 5, 3, 2, 1]],
      ['dispatcher_id=audit', [5, 2]],
      ['delivery_status=dead', [7, 5]],
      ['delivery_status=dead&dispatcher_id=billing', [7]],
      ['delivery_status=pending,failed', [9, 8]],
      ['outcome=failure', [8, 7, 5]],
      ['outcome=success&dispatcher_id=audit', [2]],
      ['outcome=success&delivery_status=dead', []],
      ['retry_source=manual', [5]],
      ['retry_source=auto&delivery_status=dead', [7]],
      ['app_id=shop&outcome=failure', [7, 5]],
      ['dispatcher_id=nobody', []],
    ];
    for (const [query, expected] of cases) {
      const res = await call('GET', `/v1/events?${query}`);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(ids(res.body.events), expected, query);
      assert.equal(res.body.next_cursor, null, query);
    }
    const [row] = (await call('GET', `/v1/events?event_id=${id(12)}`)).body.events;
    assert.deepEqual(
      {
        event_id: row.event_id,
        app_id: row.app_id,
        topic_id: row.topic_id,
        status: row.status,
        broadcast: row.broadcast,
        source: row.source,
        trigger_type: row.trigger_type,
      },
      { event_id: id(12), app_id: 'blog', topic_id: 'refund', status: 'routed', broadcast: true, source: 'report', trigger_type: 1 },
    );
    assert.equal(new Date(row.created_at).getTime(), T0 + 12_000);
    assert.equal(row.payload, undefined, 'a list row carries no payload');
  });

  await t.test('GET /v1/deliveries: every filter narrows; rows are presented like the event view', async () => {
    const key = (rows: Array<{ event_id: string; dispatcher_id: string }>) => rows.map((r) => `${ids([r as Row])[0]}/${r.dispatcher_id}`);
    const cases: Array<[string, string[]]> = [
      ['dispatcher_id=audit', ['5/audit', '2/audit']],
      ['dispatcher_id=billing&status=dead,failed', ['8/billing', '7/billing']],
      ['outcome=failure', ['8/billing', '7/billing', '5/audit']],
      ['status=pending', ['9/billing']],
      ['app_id=blog&topic_id=refund', ['6/billing']],
      [`event_id=${id(2)}`, ['2/billing', '2/audit']],
      ['retry_source=manual', ['5/audit']],
      ['retry_source=auto&app_id=shop&status=dead', ['7/billing']],
    ];
    for (const [query, expected] of cases) {
      const res = await call('GET', `/v1/deliveries?${query}`);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(key(res.body.deliveries), expected, query);
    }
    const all = (await call('GET', '/v1/deliveries')).body.deliveries as Array<{ delivery_id: string }>;
    assert.equal(all.length, 10);
    assert.ok(
      all.every((d, i) => i === 0 || BigInt(d.delivery_id) < BigInt(all[i - 1]?.delivery_id ?? 0)),
      'newest (highest id) first',
    );
    const future = new Date(Date.now() + 3600_000).toISOString();
    assert.equal((await call('GET', `/v1/deliveries?since=${future}`)).body.deliveries.length, 0, 'since is on deliveries.created_at (now)');
    assert.equal((await call('GET', `/v1/deliveries?until=${future}`)).body.deliveries.length, 10);

    const [manual] = (await call('GET', '/v1/deliveries?retry_source=manual')).body.deliveries;
    const eventView = (await call('GET', `/v1/events/${id(5)}`)).body.deliveries.find((d: { dispatcher_id: string }) => d.dispatcher_id === 'audit');
    const { delivery_id, event_id, app_id, topic_id, ...presented } = manual;
    assert.deepEqual(presented, eventView, 'the same presentation as GET /v1/events/:event_id');
    assert.deepEqual([event_id, app_id, topic_id, typeof delivery_id], [id(5), 'shop', 'order', 'string']);
    assert.equal(presented.retry_source, 'manual');
    assert.equal(presented.attempts.length, 1);
  });

  await t.test('pages return every row exactly once while new events arrive between fetches', async () => {
    const seen: number[] = [];
    const seenDeliveries: string[] = [];
    let cursor: string | null = null;
    let deliveryCursor: string | null = null;
    for (let round = 0; round < 20; round++) {
      const page = await call('GET', `/v1/events?limit=5${cursor === null ? '' : `&cursor=${cursor}`}`);
      const deliveries = await call('GET', `/v1/deliveries?dispatcher_id=billing&limit=3${deliveryCursor === null ? '' : `&cursor=${deliveryCursor}`}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...ids(page.body.events));
      seenDeliveries.push(...(deliveries.body.deliveries as Row[]).map((d) => String(ids([d])[0])));
      cursor = page.body.next_cursor;
      deliveryCursor = deliveries.body.next_cursor;
      // Newer events, each delivered to billing, arrive before the next page is fetched.
      const n = 100 + round;
      await recordEvents(admin.db.knex, [{ event_id: id(n), app_id: 'shop', topic_id: 'order', status: 'routed' }]);
      await recordDeliveries(admin.db.knex, [{ event_id: id(n), dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' }]);
      if (cursor === null && deliveryCursor === null) break;
    }
    assert.deepEqual(seen, [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(seenDeliveries, ['9', '8', '7', '6', '5', '3', '2', '1']);
    const firstPage = await call('GET', '/v1/events?limit=5');
    assert.equal(firstPage.body.events.length, 5);
    assert.equal(firstPage.body.next_cursor, firstPage.body.events[4].event_id, 'the cursor is the last id of the page');
  });

  await t.test('the routes are in /openapi.json', async () => {
    const doc = await call('GET', '/openapi.json');
    for (const path of ['/v1/events', '/v1/deliveries', '/v1/processors/{dispatcher_id}/stats']) assert.ok(path in doc.body.paths, path);
    const names = doc.body.paths['/v1/events'].get.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual([...names].sort(), [
      'app_id',
      'cursor',
      'delivery_status',
      'dispatcher_id',
      'event_id',
      'limit',
      'outcome',
      'retry_source',
      'since',
      'status',
      'topic_id',
      'until',
    ]);
  });

  await t.test('bad input: 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/v1/events?colour=red', /colour is not a known field/],
      ['/v1/deliveries?delivery_status=dead', /delivery_status is not a known field/],
      ['/v1/events?limit=0', /limit must be an integer from 1 to 1000/],
      ['/v1/events?limit=1001', /limit must be an integer from 1 to 1000/],
      ['/v1/deliveries?limit=x', /limit must be an integer from 1 to 1000/],
      ['/v1/events?since=yesterday', /since must be an RFC 3339 time/],
      ['/v1/events?until=2026-02-30T00:00:00Z', /until must be an RFC 3339 time/],
      ['/v1/deliveries?since=2026-01-01T00:00:00', /since must be an RFC 3339 time with a zone/],
      [`/v1/events?since=${T0 + 5000}&until=${T0}`, /since must be earlier than until/],
      ['/v1/events?event_id=12,abc', /event_id must be a comma-separated list .*"abc"/],
      ['/v1/deliveries?event_id=0', /event_id must be a comma-separated list/],
      ['/v1/events?event_id=99999999999999999999', /event_id must be a comma-separated list/],
      [`/v1/events?event_id=${Array.from({ length: 1001 }, (_, i) => i + 1).join(',')}`, /event_id lists 1001 ids; at most 1000/],
      ['/v1/events?cursor=-5', /cursor must be a positive decimal 64-bit integer/],
      ['/v1/deliveries?cursor=next', /cursor must be a positive decimal 64-bit integer/],
      ['/v1/events?delivery_status=done', /delivery_status must be a comma-separated list of pending, .*"done"/],
      ['/v1/deliveries?status=succeeded,nope', /status must be a comma-separated list .*"nope"/],
      ['/v1/events?outcome=ok', /outcome must be one of "success", "failure"/],
      ['/v1/deliveries?retry_source=robot', /retry_source must be one of "auto", "manual"/],
      ['/v1/events?dispatcher_id=bad%20name', /dispatcher_id may contain only/],
      ['/v1/events?status=routed&status=filtered', /status must be a string/],
    ];
    for (const [path, message] of cases) {
      const res = await call('GET', path);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.ret.msg, message, path);
      assert.match(res.body.error, /^EY_/, path);
      assert.notEqual(res.body.ret.code, 0, path);
    }
  });
});
