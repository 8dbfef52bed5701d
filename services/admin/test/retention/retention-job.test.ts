import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { silentLogger } from '@eventyard/core';
import { recordAttempt, recordEvents, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { createRetentionJob } from '../../src/retention/retention-job.ts';
import { startAdmin } from '../fixture.ts';

const HOUR = 3600 * 1000;
const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

async function seed(knex: Knex): Promise<void> {
  const old = new Date(Date.now() - 2 * HOUR);
  await recordEvents(knex, [
    { event_id: '100', app_id: 'a', topic_id: 't', status: 'routed', created_at: old },
    { event_id: '101', app_id: 'a', topic_id: 't', status: 'routed', created_at: old },
    { event_id: '200', app_id: 'a', topic_id: 't', status: 'routed' },
  ]);
  for (const event_id of ['100', '101', '200']) {
    await recordAttempt(knex, {
      event_id,
      dispatcher_id: 'p',
      app_id: 'a',
      topic_id: 't',
      retry_times: 0,
      repeat_times: 0,
      started_at: new Date(),
      finished_at: new Date(),
      outcome: 'success',
      delivery_status: 'succeeded',
    });
  }
  // Recorded two hours ago too (a late-recorded old event would be kept).
  await knex('events').whereIn('event_id', ['100', '101']).update({ updated_at: old, recorded_at: old });
  // Event 101 is an old repeat chain still running: its timer keeps it.
  await knex('schedules').insert({
    id: 'chain-101',
    kind: 'repeat',
    due_at: new Date(Date.now() + HOUR),
    target_topic: 'eventyard.ingest',
    value: Buffer.from('x'),
    event_id: '101',
    dispatcher_id: 'p',
  });
}

const ids = async (knex: Knex, table: string): Promise<string[]> =>
  ((await knex(table).select('event_id').orderBy('event_id')) as Array<{ event_id: string }>).map((r) => String(r.event_id));

test('the admin prunes history older than EY_HISTORY_RETENTION_S every interval, keeping recent events and live chains', async (t) => {
  const admin = await startAdmin(t, { EY_HISTORY_RETENTION_S: '3600', EY_RETENTION_INTERVAL_S: '1' });
  const { knex } = admin.db;
  await seed(knex);
  await waitFor('the old event pruned', async () => !(await ids(knex, 'events')).includes('100'));
  assert.deepEqual(await ids(knex, 'events'), ['101', '200']);
  assert.deepEqual(await ids(knex, 'deliveries'), ['101', '200']);
  assert.deepEqual(await ids(knex, 'delivery_attempts'), ['101', '200']);
  // The pass counts what it deleted once it is over, after the rows are gone: wait for the count too.
  const counted = /eventyard_admin_retention_deleted_total\{[^}]*table="events"[^}]*\} 1\b/;
  await waitFor('the deletion counted', async () => counted.test(await (await fetch(`http://127.0.0.1:${admin.app.ports.health}/metrics`)).text()));
});

test('EY_HISTORY_RETENTION_S=0 keeps history forever', async (t) => {
  const admin = await startAdmin(t, { EY_HISTORY_RETENTION_S: '0', EY_RETENTION_INTERVAL_S: '1' });
  await seed(admin.db.knex);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await ids(admin.db.knex, 'events'), ['100', '101', '200']);
});

test('one retention pass at a time across instances: a pass skips while another holds the lock', async (t) => {
  const db = await createDatabase(t);
  await seed(db.knex);
  const job = createRetentionJob({ databaseUrl: db.url, logger: silentLogger(), historyRetentionMs: HOUR, payloadRetentionMs: 0, intervalMs: 60_000 });
  const other = new pg.Client({ connectionString: db.url });
  await other.connect();
  // Closed here, not in t.after: the database fixture's hook drops the database first.
  try {
    await other.query('SELECT pg_advisory_lock(7311146993669633140)');
    assert.equal(await job.runOnce(), false, 'skipped while another instance prunes');
    assert.deepEqual(await ids(db.knex, 'events'), ['100', '101', '200']);
    await other.query('SELECT pg_advisory_unlock(7311146993669633140)');
    assert.equal(await job.runOnce(), true);
    assert.deepEqual(await ids(db.knex, 'events'), ['101', '200']);
  } finally {
    await job.close();
    await other.end();
  }
});
