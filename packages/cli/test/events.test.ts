// `eventyard events get` on a recorded event (seeded with @eventyard/db's history writers): the event,
// then its deliveries and every attempt as tables; -o json is the API's answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordAttempts, recordDeliveries, recordEvents } from '@eventyard/db';
import { startCliFixture } from './fixture.ts';

const EVENT_ID = '7320000000000000042';

test('events get', async (t) => {
  const { run, db } = await startCliFixture(t);
  const base = { app_id: 'shop', topic_id: 'order' };
  await recordEvents(db.knex, [
    { event_id: EVENT_ID, ...base, status: 'routed', trigger_type: 1, payload: Buffer.from('{"order":7}'), ordering_key: 'customer-7' },
  ]);
  await recordDeliveries(db.knex, [
    { event_id: EVENT_ID, dispatcher_id: 'analytics', ...base, status: 'filtered' },
    { event_id: EVENT_ID, dispatcher_id: 'billing', ...base, status: 'pending' },
  ]);
  const t0 = new Date(Date.now() - 10_000);
  await recordAttempts(db.knex, [
    {
      event_id: EVENT_ID,
      dispatcher_id: 'billing',
      ...base,
      retry_times: 0,
      repeat_times: 0,
      started_at: t0,
      finished_at: new Date(t0.getTime() + 120),
      outcome: 'failure',
      error_code: 14,
      error_message: 'UNAVAILABLE: connection refused',
      delivery_status: 'scheduled',
      next_attempt_at: new Date(t0.getTime() + 1000),
    },
    {
      event_id: EVENT_ID,
      dispatcher_id: 'billing',
      ...base,
      retry_times: 1,
      repeat_times: 0,
      started_at: new Date(t0.getTime() + 1000),
      finished_at: new Date(t0.getTime() + 1030),
      outcome: 'success',
      delivery_status: 'succeeded',
    },
  ]);

  await t.test('the event, then a table of deliveries and one of attempts', async () => {
    const res = await run(['events', 'get', EVENT_ID]);
    assert.equal(res.code, 0, res.stderr);
    const out = res.stdout;
    assert.match(out, new RegExp(`^event_id\\s+${EVENT_ID}$`, 'm'));
    assert.match(out, /^app_id\/topic_id\s+shop\/order$/m);
    assert.match(out, /^ordering_key\s+customer-7$/m);
    assert.match(out, /^payload\s+11 bytes: \{"order":7\}$/m);
    assert.match(out, /^DISPATCHER_ID\s+STATUS\s+ATTEMPTS\s+RETRY_SOURCE\s+NEXT_DUE_AT\s+LAST_ERROR$/m);
    assert.match(out, /^analytics\s+filtered\s+0\s+-\s+-\s+-$/m);
    assert.match(out, /^billing\s+succeeded\s+2\s+auto\s+/m);
    assert.match(out, /^DISPATCHER_ID\s+ATTEMPT\s+SOURCE\s+OUTCOME\s+STARTED_AT\s+LATENCY_MS\s+ERROR$/m);
    assert.match(
      out,
      new RegExp(`^billing\\s+1\\s+auto\\s+failure\\s+${t0.toISOString().replace(/\./g, '\\.')}\\s+120\\s+UNAVAILABLE: connection refused$`, 'm'),
    );
    assert.match(out, /^billing\s+2\s+auto\s+success\s+\S+\s+30\s+-$/m);
  });

  await t.test('-o json is the API answer', async () => {
    const res = await run(['events', 'get', EVENT_ID, '-o', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const body = JSON.parse(res.stdout) as {
      event: { event_id: string; payload: { json: unknown } };
      deliveries: Array<{ dispatcher_id: string; attempts: unknown[] }>;
    };
    assert.equal(body.event.event_id, EVENT_ID);
    assert.deepEqual(body.event.payload.json, { order: 7 });
    assert.deepEqual(
      body.deliveries.map((d) => [d.dispatcher_id, d.attempts.length]),
      [
        ['analytics', 0],
        ['billing', 2],
      ],
    );
  });

  await t.test('unknown and malformed ids are one-line errors', async () => {
    const unknown = await run(['events', 'get', '12345']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'eventyard: event 12345 not found (EY_EVENT_NOT_FOUND, HTTP 404)\n');
    const bad = await run(['events', 'get', 'abc']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'eventyard: event_id must be a positive decimal 64-bit integer (EY_INVALID_EVENT_ID, HTTP 400)\n');
  });

  await t.test('events list: a table, filters, and --all follows next_cursor', async () => {
    await recordEvents(
      db.knex,
      ['7320000000000000050', '7320000000000000051', '7320000000000000052'].map((event_id) => ({
        event_id,
        app_id: 'crm',
        topic_id: 'lead',
        status: 'no_subscribers',
      })),
    );
    const table = await run(['events', 'list', '--app-id', 'crm']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^EVENT_ID\s+APP_ID\s+TOPIC_ID\s+STATUS\s+CREATED_AT$/);
    assert.equal(lines.length, 4);
    assert.match(table.stdout, /^7320000000000000051\s+crm\s+lead\s+no_subscribers\s+\S+$/m);
    const page = await run(['events', 'list', '--app-id', 'crm', '--limit', '2']);
    assert.match(page.stdout, /\(more: --all, or the admin API with cursor=\d+\)\n$/);
    const all = await run(['events', 'list', '--app-id', 'crm', '--limit', '2', '--all', '-o', 'json']);
    assert.equal(all.code, 0, all.stderr);
    const body = JSON.parse(all.stdout) as { events: Array<{ event_id: string }>; next_cursor: null };
    assert.deepEqual(body.events.map((e) => e.event_id).sort(), ['7320000000000000050', '7320000000000000051', '7320000000000000052']);
    assert.equal(body.next_cursor, null);
    const dead = await run(['events', 'list', '--delivery-status', 'succeeded', '--dispatcher-id', 'billing', '-o', 'json']);
    assert.deepEqual(
      (JSON.parse(dead.stdout) as { events: Array<{ event_id: string }> }).events.map((e) => e.event_id),
      [EVENT_ID],
    );
  });
});
