import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  getEventHistory,
  queryDeliveries,
  queryEvents,
  recordAttempt,
  recordAttempts,
  recordDeliveries,
  recordEvents,
  recordRound,
  setDeliveryStatus,
  writeAttempts,
  type AttemptInput,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const event = (id: number, extra: object = {}) => ({
  event_id: String(id),
  app_id: 'shop',
  topic_id: 'order',
  status: 'routed',
  payload: Buffer.from(`p${id}`),
  ...extra,
});
const attempt = (extra: Partial<AttemptInput> = {}): AttemptInput => ({
  event_id: '1',
  dispatcher_id: 'billing',
  app_id: 'shop',
  topic_id: 'order',
  retry_times: 0,
  repeat_times: 0,
  started_at: new Date(1_700_000_000_000),
  finished_at: new Date(1_700_000_000_250),
  outcome: 'failure',
  error_code: 'http:503',
  delivery_status: 'scheduled',
  ...extra,
});

test('an event, its deliveries and every attempt are recorded and read back together', async (t) => {
  const { knex } = await createDatabase(t);
  await recordEvents(knex, [event(1, { trigger: { trigger_type: 1 }, ordering_key: 'user-7' })]);
  await recordEvents(knex, [event(1, { status: 'delivered' })]); // a re-consumed batch updates, never duplicates
  await recordDeliveries(knex, [
    { event_id: '1', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' },
    { event_id: '1', dispatcher_id: 'audit', app_id: 'shop', topic_id: 'order', status: 'filtered' },
  ]);
  await recordDeliveries(knex, [{ event_id: '1', dispatcher_id: 'audit', app_id: 'shop', topic_id: 'order', status: 'pending' }]);

  await recordAttempt(knex, attempt({ next_attempt_at: new Date(Date.now() + 1000), pass_back: Buffer.from('cursor-1') }));
  const second = await recordAttempt(knex, attempt({ retry_times: 1, outcome: 'success', error_code: null, delivery_status: 'succeeded' }));
  assert.equal(second.attempt.attempt_no, 2);
  assert.equal(second.delivery.status, 'succeeded');
  assert.ok(second.delivery.finished_at instanceof Date);
  const manual = await recordAttempt(knex, attempt({ trigger: 'manual', outcome: 'success', error_code: null, delivery_status: 'succeeded' }));
  assert.equal(manual.attempt.attempt_no, 3);

  const history = await getEventHistory(knex, '1');
  assert.ok(history !== undefined);
  assert.equal(history.event.status, 'delivered');
  assert.deepEqual(history.event.trigger, { trigger_type: 1 });
  assert.equal(history.event.payload_size, 2);
  assert.deepEqual(
    history.deliveries.map((d) => [d.dispatcher_id, d.status, d.attempt_count]),
    [
      ['audit', 'filtered', 0],
      ['billing', 'succeeded', 3],
    ],
  );
  const attempts = history.deliveries[1]?.attempts ?? [];
  assert.deepEqual(
    attempts.map((a) => [a.attempt_no, a.retry_times, a.outcome, a.error_code, a.trigger, a.latency_ms]),
    [
      [1, 0, 'failure', 'http:503', 'auto', 250],
      [2, 1, 'success', null, 'auto', 250],
      [3, 0, 'success', null, 'manual', 250],
    ],
  );
  assert.equal(await getEventHistory(knex, '999'), undefined);
});

test('concurrent attempts of one delivery get distinct attempt numbers, even before the router recorded it', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 10 });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => recordAttempt(knex, attempt({ retry_times: i }))));
  assert.deepEqual(
    results.map((r) => r.attempt.attempt_no).sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const [delivery] = await queryDeliveries(knex, { dispatcher_id: 'billing', limit: 10 });
  assert.equal(delivery?.attempt_count, 10);
  const redriven = await setDeliveryStatus(knex, { event_id: '1', dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' });
  assert.equal(redriven.finished_at, null);
});

test('a batch records many deliveries at once; attempts of one delivery are numbered in input order and the last sets its state', async (t) => {
  const { knex } = await createDatabase(t);
  await recordAttempts(knex, []);
  await recordAttempt(knex, attempt({ event_id: '7' }));
  const results = await recordAttempts(knex, [
    attempt({ event_id: '7', retry_times: 1 }),
    attempt({ event_id: '8', outcome: 'success', error_code: null, delivery_status: 'succeeded', pass_back: Buffer.from('p8') }),
    attempt({ event_id: '7', retry_times: 2, outcome: 'success', error_code: null, delivery_status: 'succeeded' }),
    attempt({ event_id: '10', dispatcher_id: 'audit', error_code: 503, next_attempt_at: new Date(1_800_000_000_000) }),
  ]);
  assert.deepEqual(
    results.map((r) => [r.attempt.event_id, r.attempt.dispatcher_id, r.attempt.attempt_no, r.attempt.retry_times]),
    [
      ['7', 'billing', 2, 1],
      ['8', 'billing', 1, 0],
      ['7', 'billing', 3, 2],
      ['10', 'audit', 1, 0],
    ],
  );
  assert.deepEqual(
    results.map((r) => [r.delivery.event_id, r.delivery.status, r.delivery.attempt_count]),
    [
      ['7', 'succeeded', 3],
      ['8', 'succeeded', 1],
      ['7', 'succeeded', 3],
      ['10', 'scheduled', 1],
    ],
  );
  const deliveries = await queryDeliveries(knex, { limit: 10 });
  const byEvent = new Map(deliveries.map((d) => [`${d.event_id}/${d.dispatcher_id}`, d]));
  assert.equal(byEvent.get('7/billing')?.retry_times, 2);
  assert.ok(byEvent.get('7/billing')?.finished_at instanceof Date);
  assert.deepEqual(byEvent.get('8/billing')?.pass_back, Buffer.from('p8'));
  assert.equal(byEvent.get('10/audit')?.last_error_code, '503');
  assert.equal(byEvent.get('10/audit')?.finished_at, null);
  assert.deepEqual(byEvent.get('10/audit')?.next_attempt_at, new Date(1_800_000_000_000));
});

test('concurrent batches over the same deliveries get distinct attempt numbers and do not deadlock', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 10 });
  const ids = Array.from({ length: 20 }, (_, i) => String(100 + i));
  // Each batch lists the deliveries in its own order (some twice), as group commits of several runners would.
  const batches = Array.from({ length: 8 }, (_, b) => {
    const order = b % 2 === 0 ? ids : [...ids].reverse();
    return [...order, ...order.slice(0, b)].map((id) => attempt({ event_id: id, retry_times: b }));
  });
  const results = await Promise.all([
    ...batches.map((batch) => recordAttempts(knex, batch)),
    recordAttempt(knex, attempt({ event_id: '100' })).then((r) => [r]),
  ]);
  const numbers = new Map<string, number[]>();
  for (const r of results.flat()) numbers.set(r.attempt.event_id, [...(numbers.get(r.attempt.event_id) ?? []), r.attempt.attempt_no]);
  for (const [id, got] of numbers) {
    const sorted = got.sort((a, b) => a - b);
    assert.deepEqual(
      sorted,
      Array.from({ length: sorted.length }, (_, i) => i + 1),
      `event ${id}`,
    );
  }
  const total = results.flat().length;
  const rows = (await knex('delivery_attempts').count('* as n')) as Array<{ n: string }>;
  assert.equal(Number(rows[0]?.n), total);
  const counts = (await knex('deliveries').sum('attempt_count as n')) as Array<{ n: string }>;
  assert.equal(Number(counts[0]?.n), total);
});

test('event pages stay stable while new events arrive: every row exactly once', async (t) => {
  const { knex } = await createDatabase(t);
  await recordEvents(
    knex,
    Array.from({ length: 25 }, (_, i) => event(100 + i)),
  );
  const seen: string[] = [];
  let before: string | undefined;
  let next = 1000;
  for (;;) {
    const page = await queryEvents(knex, { app_id: 'shop', topic_id: 'order', limit: 7, ...(before === undefined ? {} : { before }) });
    if (page.length === 0) break;
    seen.push(...page.map((e) => e.event_id));
    before = page.at(-1)?.event_id;
    await recordEvents(knex, [event(next++)]); // newer events arrive between pages
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 25 }, (_, i) => String(124 - i)),
  );
  assert.equal((await queryEvents(knex, { status: 'routed', event_ids: ['100', '1000'], limit: 10 })).length, 2);
});

test('writeAttempts (the group commit) numbers attempts like recordAttempts, side by side, and keeps every column', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 10 });
  await writeAttempts(knex, []);
  const ids = Array.from({ length: 10 }, (_, i) => String(500 + i));
  await Promise.all([
    ...Array.from({ length: 4 }, (_, b) =>
      writeAttempts(
        knex,
        ids.map((id) => attempt({ event_id: id, retry_times: b })),
      ),
    ),
    recordAttempts(
      knex,
      ids.map((id) => attempt({ event_id: id, retry_times: 9 })),
    ),
  ]);
  for (const id of ids) {
    const numbers = ((await knex('delivery_attempts').where({ event_id: id }).orderBy('attempt_no')) as Array<{ attempt_no: number }>).map((a) => a.attempt_no);
    assert.deepEqual(numbers, [1, 2, 3, 4, 5], `event ${id}`);
  }
  await writeAttempts(knex, [
    attempt({
      event_id: '900',
      trigger: 'manual',
      outcome: 'failure',
      error_code: 14,
      error_message: 'unavailable "quoted" \\ back',
      response_status: 14,
      ret_code: null,
      response_excerpt: '{"ret":{}}',
      pass_back: Buffer.from([0, 1, 2, 255]),
      next_attempt_at: new Date(1_800_000_000_000),
      finished_at: null,
    }),
  ]);
  const history = await getEventHistory(knex, '900');
  assert.equal(history, undefined); // no events row: attempts never depend on the router's write
  const [delivery] = (await knex('deliveries').where({ event_id: '900' })) as Array<Record<string, unknown>>;
  assert.deepEqual(delivery?.pass_back, Buffer.from([0, 1, 2, 255]));
  assert.equal(delivery?.last_error, 'unavailable "quoted" \\ back');
  assert.equal(delivery?.last_error_code, '14');
  assert.deepEqual(delivery?.next_attempt_at, new Date(1_800_000_000_000));
  const [row] = (await knex('delivery_attempts').where({ event_id: '900' })) as Array<Record<string, unknown>>;
  assert.deepEqual([row?.trigger, row?.attempt_no, row?.latency_ms, row?.finished_at, row?.response_excerpt], ['manual', 1, null, null, '{"ret":{}}']);
});

test("recordRound writes a round's events and deliveries in one statement, idempotently", async (t) => {
  const { knex } = await createDatabase(t);
  const delivery = (id: string, dispatcher: string, status: 'pending' | 'filtered') => ({
    event_id: id,
    dispatcher_id: dispatcher,
    app_id: 'shop',
    topic_id: 'order',
    status,
  });
  const events = [
    event(41, { trigger: null, event_comm: { event_tag: { tag_list: ['a"b'] } } }),
    event(42, { payload: Buffer.from([0, 255]), created_at: new Date(1_700_000_000_000) }),
  ];
  await recordRound(knex, events, [delivery('41', 'billing', 'pending'), delivery('41', 'audit', 'filtered'), delivery('42', 'billing', 'pending')]);
  await recordRound(knex, [event(41, { status: 'filtered' })], [delivery('41', 'billing', 'filtered')]);
  await recordRound(knex, [], []);
  const first = await getEventHistory(knex, '41');
  assert.equal(first?.event.status, 'filtered');
  assert.equal(first?.event.trigger, null);
  assert.deepEqual(first?.event.event_comm, { event_tag: { tag_list: ['a"b'] } });
  assert.deepEqual(
    first?.deliveries.map((d) => [d.dispatcher_id, d.status, d.finished_at instanceof Date]),
    [
      ['audit', 'filtered', true],
      ['billing', 'pending', false],
    ],
  );
  const second = await getEventHistory(knex, '42');
  assert.deepEqual(second?.event.payload, Buffer.from([0, 255]));
  assert.deepEqual(second?.event.created_at, new Date(1_700_000_000_000));
});

test('the hot writers run inside a caller’s transaction, give every pool connection back, and fail with Postgres’s own error', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 2 });
  const pending = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', status: 'pending' as const };
  // In a transaction the statement runs on the transaction's connection: rolled back with it.
  await knex
    .transaction(async (trx) => {
      await recordRound(trx, [event(51)], [{ event_id: '51', ...pending }]);
      assert.equal((await getEventHistory(trx, '51'))?.deliveries.length, 1);
      throw new Error('roll back');
    })
    .catch((err: unknown) => assert.match(String(err), /roll back/));
  assert.equal(await getEventHistory(knex, '51'), undefined);
  // A refused statement: Postgres's error with its SQLSTATE (the router's data-error fallback reads it).
  await assert.rejects(recordEvents(knex, [event(52, { trace_id: 'not-hex' })]), (err: { code?: string }) => /^23/.test(err.code ?? ''));
  await assert.rejects(recordRound(knex, [{ ...event(53), event_id: '1e30' }], [{ event_id: '53', ...pending }]), (err: { code?: string }) =>
    /^22/.test(err.code ?? ''),
  );
  // More statements than connections, some failing: none is kept, and the pool still answers.
  await Promise.allSettled(Array.from({ length: 6 }, (_, i) => recordEvents(knex, [event(60 + i, i % 2 === 0 ? {} : { trace_id: 'not-hex' })])));
  await Promise.all(Array.from({ length: 6 }, (_, i) => writeAttempts(knex, [attempt({ event_id: String(60 + i) })])));
  assert.equal((await getEventHistory(knex, '64'))?.deliveries[0]?.attempts.length, 1);
  assert.equal(knex.client.pool.numUsed(), 0);
});
