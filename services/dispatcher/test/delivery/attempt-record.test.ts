// recordAttemptDurably against a real Postgres: a row refused as data (SQLSTATE class 22) is written
// reduced, or skipped when even that is refused, with an error log and a metric each time, and never
// retried; a transient error (here a lock timeout) is retried until the write goes through, or until
// shutdown, which leaves the record to be read again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, createMetricsRegistry, isEventyardError } from '@eventyard/core';
import { writeAttempts, type AttemptInput, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { recordAttemptDurably, safeAttempt } from '../../src/delivery/attempt-record.ts';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { createDispatcherMetrics, type DispatcherMetrics } from '../../src/metrics.ts';

const attempt = (extra: Partial<AttemptInput> = {}): AttemptInput => ({
  event_id: '1',
  dispatcher_id: 'billing',
  app_id: 'shop',
  topic_id: 'order',
  retry_times: 0,
  repeat_times: 0,
  started_at: new Date(1_700_000_000_000),
  finished_at: new Date(1_700_000_000_020),
  outcome: 'failure',
  error_code: 500,
  error_message: 'consumer said \u0000',
  response_excerpt: 'body',
  ret_code: 500,
  delivery_status: 'dead',
  ...extra,
});

interface Harness {
  metrics: DispatcherMetrics;
  lines: Array<{ level: number; msg: string; sqlstate?: string }>;
  options: (signal?: AbortSignal) => Parameters<typeof recordAttemptDurably>[2];
}

function harness(): Harness {
  const metrics = createDispatcherMetrics(createMetricsRegistry('dispatcher'));
  const lines: Harness['lines'] = [];
  const logger = createLogger({
    name: 'dispatcher-test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Harness['lines'][number]) },
  });
  return {
    metrics,
    lines,
    options: (signal = new AbortController().signal) => ({ signal, logger, metrics, context: { topic: 't', partition: 0, offset: '7' } }),
  };
}

async function rejected(metrics: DispatcherMetrics, action: 'reduced' | 'skipped'): Promise<number> {
  const { values } = await metrics.historyRejected.get();
  return values.find((v) => v.labels.action === action && v.labels.processor === 'billing')?.value ?? 0;
}

async function attemptRows(knex: Knex): Promise<Array<Record<string, unknown>>> {
  return (await knex('delivery_attempts')
    .select('app_id', 'error_code', 'error_message', 'response_excerpt', 'ret_code')
    .leftJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')) as Array<Record<string, unknown>>;
}

test('the consumer text is made safe for its columns before the write', async (t) => {
  const { knex } = await createDatabase(t);
  const h = harness();
  const result = await recordAttemptDurably(
    (a) => writeAttempts(knex, [a]),
    attempt({ error_code: 'transport:\u0000', response_excerpt: '\uD800x', ret_code: 2 ** 40 }),
    h.options(),
  );
  assert.equal(result, 'recorded');
  assert.deepEqual(await attemptRows(knex), [
    { app_id: 'shop', error_code: 'transport:\uFFFD', error_message: 'consumer said \uFFFD', response_excerpt: '\uFFFDx', ret_code: null },
  ]);
  assert.equal(await rejected(h.metrics, 'reduced'), 0);
  assert.equal(safeAttempt(attempt({ error_message: 'x'.repeat(5000) })).error_message?.length, 1024);
});

test('a row Postgres refuses as data is written once in reduced form, not retried', async (t) => {
  const { knex } = await createDatabase(t);
  const h = harness();
  let writes = 0;
  // An app_id is not consumer text, so it is not sanitized up front; a NUL in it fails the full row (22021).
  const result = await recordAttemptDurably(
    (a) => {
      writes++;
      return writeAttempts(knex, [a]);
    },
    attempt({ app_id: 'sh\u0000op', error_code: 'odd code\u0000' }),
    h.options(),
  );
  assert.equal(result, 'reduced');
  assert.equal(writes, 2, 'the refused write was not retried');
  assert.deepEqual(await attemptRows(knex), [
    {
      app_id: 'sh\uFFFDop',
      error_code: null,
      error_message: 'attempt details not recorded: the database refused them (SQLSTATE 22021)',
      response_excerpt: null,
      ret_code: 500,
    },
  ]);
  const [delivery] = (await knex('deliveries').select('status', 'attempt_count')) as Array<{ status: string; attempt_count: number }>;
  assert.deepEqual(delivery, { status: 'dead', attempt_count: 1 });
  assert.equal(await rejected(h.metrics, 'reduced'), 1);
  assert.equal(await rejected(h.metrics, 'skipped'), 0);
  const error = h.lines.find((l) => l.level === 50);
  assert.equal(error?.sqlstate, '22021');
  assert.match(error?.msg ?? '', /refused by the database as data/);
});

test('a row refused even reduced is skipped with an error log and a metric', async (t) => {
  const { knex } = await createDatabase(t);
  const h = harness();
  // An event_id beyond bigint fails the full and the reduced row alike (22003).
  const result = await recordAttemptDurably((a) => writeAttempts(knex, [a]), attempt({ event_id: '99999999999999999999' }), h.options());
  assert.equal(result, 'skipped');
  assert.deepEqual(await attemptRows(knex), []);
  assert.equal(await rejected(h.metrics, 'reduced'), 0);
  assert.equal(await rejected(h.metrics, 'skipped'), 1);
  assert.deepEqual(
    h.lines.filter((l) => l.level === 50).map((l) => l.sqlstate),
    ['22003', '22003'],
  );
});

/** writeAttempts that gives up on a lock after 100 ms (55P03 lock_not_available), like any transient failure. */
const impatientWrite = (knex: Knex) => (a: AttemptInput) =>
  knex.transaction(async (trx) => {
    await trx.raw("SET LOCAL lock_timeout = '100ms'");
    await writeAttempts(trx, [a]);
  });

/** Holds delivery_attempts locked until the returned release is called. */
async function lockAttempts(knex: Knex): Promise<() => Promise<void>> {
  const trx = await knex.transaction();
  await trx.raw('LOCK TABLE delivery_attempts IN ACCESS EXCLUSIVE MODE');
  return async () => {
    await trx.commit();
  };
}

test('a transient error is retried until the write goes through', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 3 });
  const h = harness();
  const release = await lockAttempts(knex);
  let recording: Promise<string>;
  try {
    recording = recordAttemptDurably(impatientWrite(knex), attempt(), h.options());
    const deadline = Date.now() + 10_000;
    while (h.lines.filter((l) => /retrying/.test(l.msg)).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(h.lines.filter((l) => /retrying/.test(l.msg)).length >= 2, 'it failed and was retried');
  } finally {
    await release();
  }
  assert.equal(await recording, 'recorded');
  assert.equal((await attemptRows(knex)).length, 1);
  assert.equal(await rejected(h.metrics, 'reduced'), 0);
  assert.equal(await rejected(h.metrics, 'skipped'), 0);
});

test('shutdown stops the retrying without skipping: the record is left to be read again', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 3 });
  const h = harness();
  // Released inside the test: the database fixture's after-hook would wait for this open transaction.
  const release = await lockAttempts(knex);
  try {
    const stop = new AbortController();
    const recording = recordAttemptDurably(impatientWrite(knex), attempt(), h.options(stop.signal));
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    await assert.rejects(recording, (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_ABANDONED.code);
  } finally {
    await release();
  }
  assert.equal((await attemptRows(knex)).length, 0);
  assert.equal(await rejected(h.metrics, 'skipped'), 0);
});
