import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttemptInput, Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { AttemptWriter } from '../../src/delivery/attempt-writer.ts';

const attempt = (eventId: number, extra: Partial<AttemptInput> = {}): AttemptInput => ({
  event_id: String(eventId),
  dispatcher_id: 'billing',
  app_id: 'shop',
  topic_id: 'order',
  retry_times: 0,
  repeat_times: 0,
  started_at: new Date(1_700_000_000_000),
  finished_at: new Date(1_700_000_000_020),
  outcome: 'success',
  delivery_status: 'succeeded',
  ...extra,
});

/** Counts the attempt-insert statements the pool runs: one per written batch (writeAttempts' single statement). */
function countBatches(knex: Knex): { readonly count: number } {
  const counter = { count: 0 };
  knex.on('query', (query: { sql: string }) => {
    if (/insert into "?delivery_attempts"?/i.test(query.sql)) counter.count++;
  });
  return counter;
}

async function attemptRows(knex: Knex): Promise<Array<{ event_id: string; attempt_no: number }>> {
  return (await knex('delivery_attempts').select('event_id', 'attempt_no').orderBy('event_id')) as Array<{ event_id: string; attempt_no: number }>;
}

test('attempts recorded in the same moment are written by one statement, each caller resolving after it committed', async (t) => {
  const { knex } = await createDatabase(t);
  const batches = countBatches(knex);
  const writer = new AttemptWriter({ knex, maxBatch: 20 });
  const done = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      await writer.record(attempt(1000 + i));
      // Resolved means committed: another connection of the pool sees the row.
      const [row] = (await knex('delivery_attempts')
        .where({ event_id: String(1000 + i) })
        .select('attempt_no')) as Array<{ attempt_no: number }>;
      return row?.attempt_no;
    }),
  );
  assert.deepEqual(
    done,
    Array.from({ length: 50 }, () => 1),
  );
  assert.equal(batches.count, 3); // 20 + 20 at once (full batches), the last 10 after the linger
  assert.equal((await attemptRows(knex)).length, 50);
  await writer.close();
});

test('attempts of one delivery in one batch get consecutive numbers', async (t) => {
  const { knex } = await createDatabase(t);
  const writer = new AttemptWriter({ knex });
  await Promise.all([writer.record(attempt(7, { outcome: 'failure', delivery_status: 'scheduled' })), writer.record(attempt(7, { retry_times: 1 }))]);
  await writer.record(attempt(7, { trigger: 'manual' }));
  assert.deepEqual(await attemptRows(knex), [
    { event_id: '7', attempt_no: 1 },
    { event_id: '7', attempt_no: 2 },
    { event_id: '7', attempt_no: 3 },
  ]);
  const [delivery] = (await knex('deliveries').where({ event_id: '7' }).select('status', 'attempt_count')) as Array<{ status: string; attempt_count: number }>;
  assert.deepEqual(delivery, { status: 'succeeded', attempt_count: 3 });
  await writer.close();
});

test('an attempt Postgres refuses fails only its own caller; the rest of its batch is written', async (t) => {
  const { knex } = await createDatabase(t);
  const writer = new AttemptWriter({ knex });
  const results = await Promise.allSettled([
    writer.record(attempt(1)),
    writer.record(attempt(2, { error_message: 'nul \u0000 byte' })), // text columns cannot hold NUL
    writer.record(attempt(3)),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(
    (await attemptRows(knex)).map((r) => r.event_id),
    ['1', '3'],
  );
  await writer.close();
});

test('close() writes the attempts still waiting for their batch', async (t) => {
  const { knex } = await createDatabase(t);
  const writer = new AttemptWriter({ knex, lingerMs: 60_000 });
  let resolved = 0;
  const pending = [writer.record(attempt(1)), writer.record(attempt(2))].map((p) => p.then(() => resolved++));
  await writer.close();
  await Promise.all(pending);
  assert.equal(resolved, 2);
  assert.equal((await attemptRows(knex)).length, 2);
});

test('with no transaction running, the attempts of one event-loop turn leave together at once; later ones gather behind it for the linger', async (t) => {
  const { knex } = await createDatabase(t);
  const batches = countBatches(knex);
  const writer = new AttemptWriter({ knex, lingerMs: 10_000 });
  const started = Date.now();
  // One turn: a statement of two, not waiting for the linger.
  await Promise.all([writer.record(attempt(1)), writer.record(attempt(2))]);
  assert.equal(batches.count, 1);
  assert.ok(Date.now() - started < 5000, 'written without waiting for the linger');
  // A lone attempt with nothing running: written at once.
  const lone = Date.now();
  await writer.record(attempt(3));
  assert.ok(Date.now() - lone < 5000, 'a lone attempt does not wait for company');
  assert.equal(batches.count, 2);
  // While a statement runs, the next attempts wait (up to the linger) and share the next one.
  const first = writer.record(attempt(4));
  await new Promise((resolve) => setImmediate(resolve)); // its statement is on its way
  const behind = [writer.record(attempt(5)), writer.record(attempt(6))];
  await Promise.all([first, ...behind]);
  assert.equal(batches.count, 4);
  assert.equal((await attemptRows(knex)).length, 6);
  await writer.close();
});
