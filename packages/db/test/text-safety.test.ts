// Text from outside made safe for Postgres, checked against a real server: what the raw text makes
// Postgres refuse (and how that error is classified), and that the sanitized text is then accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import {
  findFreePort,
  isDataException,
  pgIntegerOrNull,
  pgSafeJson,
  pgSafeText,
  pgSafeTextOrNull,
  sqlStateOf,
  writeAttempts,
  type AttemptInput,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const NASTY = 'a\u0000b\uD800c\uDC00d\uD83D\uDE00e\uFFFD';

/** The rejection of `promise`, failing the test when it resolves. */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected Postgres to refuse this'),
    (err: unknown) => err,
  );
}

test('pgSafeText replaces NUL and lone surrogates, keeps pairs and everything else', () => {
  assert.equal(pgSafeText(NASTY), 'a\uFFFDb\uFFFDc\uFFFDd\uD83D\uDE00e\uFFFD');
  assert.equal(pgSafeText('\uDE00\uD83D'), '\uFFFD\uFFFD', 'a low then a high surrogate is no pair');
  assert.equal(pgSafeText('plain ascii, é, 😀'), 'plain ascii, é, 😀');
  assert.ok(pgSafeText(NASTY).isWellFormed());
  assert.equal(pgSafeTextOrNull(null), null);
  assert.equal(pgSafeTextOrNull(undefined), null);
  assert.equal(pgSafeTextOrNull('\u0000'), '\uFFFD');
});

test('pgSafeText caps at a UTF-8 byte limit without splitting a character, after replacing', () => {
  // Each NUL (1 byte) becomes U+FFFD (3 bytes): the cap applies to what is written, not to the input.
  const capped = pgSafeText('\u0000'.repeat(1000), 1024);
  assert.ok(Buffer.byteLength(capped) <= 1024);
  assert.equal(capped, '\uFFFD'.repeat(341));
  for (let limit = 0; limit <= 14; limit++) {
    const text = pgSafeText('éa😀€b\u0000', limit);
    assert.ok(Buffer.byteLength(text) <= limit, `limit ${limit}`);
    assert.ok('éa😀€b\uFFFD'.startsWith(text), `limit ${limit}: a prefix`);
    assert.ok(text.isWellFormed(), `limit ${limit}: no half surrogate pair`);
  }
  assert.equal(pgSafeText('x'.repeat(5000), 1024).length, 1024);
});

test('pgSafeJson makes every string and key safe, deep, and leaves other values alone', () => {
  const value = { 'k\u0000': ['\uD800', 1, true, null, { deep: 'x\u0000' }], at: new Date(0) };
  assert.deepEqual(pgSafeJson(value), { 'k\uFFFD': ['\uFFFD', 1, true, null, { deep: 'x\uFFFD' }], at: '1970-01-01T00:00:00.000Z' });
  assert.equal(pgSafeJson(7), 7);
  assert.equal(pgSafeJson(null), null);
});

test('pgIntegerOrNull keeps what an integer column holds', () => {
  assert.equal(pgIntegerOrNull(2_147_483_647), 2_147_483_647);
  assert.equal(pgIntegerOrNull(-2_147_483_648), -2_147_483_648);
  assert.equal(pgIntegerOrNull(2_147_483_648), null);
  assert.equal(pgIntegerOrNull(1e20), null);
  assert.equal(pgIntegerOrNull(1.5), null);
  assert.equal(pgIntegerOrNull(undefined), null);
});

test('Postgres refuses the raw text as a class 22 data exception and accepts it sanitized', async (t) => {
  const { knex } = await createDatabase(t);
  await knex.raw('CREATE TABLE samples (body text, doc jsonb, n integer)');

  const nul = await refusal(knex.raw('INSERT INTO samples (body) VALUES (?)', ['a\u0000b']));
  assert.equal(sqlStateOf(nul), '22021', 'character_not_in_repertoire');
  assert.equal(isDataException(nul), true);
  assert.equal(isDataException(new Error('wrapped', { cause: nul })), true, 'found through cause');

  const jsonNul = await refusal(knex.raw('INSERT INTO samples (doc) VALUES (?::jsonb)', [JSON.stringify({ msg: 'a\u0000b' })]));
  assert.equal(sqlStateOf(jsonNul), '22P05', 'untranslatable_character');
  assert.equal(isDataException(jsonNul), true);

  const jsonSurrogate = await refusal(knex.raw('INSERT INTO samples (doc) VALUES (?::jsonb)', [JSON.stringify({ msg: 'a\uD800b' })]));
  assert.equal(isDataException(jsonSurrogate), true, `jsonb refuses a lone surrogate escape (${String(sqlStateOf(jsonSurrogate))})`);

  const range = await refusal(knex.raw('INSERT INTO samples (n) VALUES (?)', [2 ** 32]));
  assert.equal(sqlStateOf(range), '22003', 'numeric_value_out_of_range');
  assert.equal(isDataException(range), true);

  await knex.raw('CREATE TABLE short (s varchar(2))');
  const tooLong = await refusal(knex.raw('INSERT INTO short (s) VALUES (?)', ['abc']));
  assert.equal(sqlStateOf(tooLong), '22001', 'string_data_right_truncation');
  assert.equal(isDataException(tooLong), true);

  await knex.raw('INSERT INTO samples (body, doc, n) VALUES (?, ?::jsonb, ?)', [
    pgSafeText(NASTY),
    JSON.stringify(pgSafeJson({ msg: NASTY })),
    pgIntegerOrNull(2 ** 32),
  ]);
  const [row] = (await knex('samples').whereNotNull('body')) as Array<{ body: string; doc: { msg: string }; n: number | null }>;
  assert.equal(row?.body, pgSafeText(NASTY));
  assert.equal(row?.doc.msg, pgSafeText(NASTY));
  assert.equal(row?.n, null);
});

test('an attempt whose message holds NUL is refused by writeAttempts as data, and written once sanitized', async (t) => {
  const { knex } = await createDatabase(t);
  const attempt: AttemptInput = {
    event_id: '1',
    dispatcher_id: 'billing',
    app_id: 'shop',
    topic_id: 'order',
    retry_times: 0,
    repeat_times: 0,
    started_at: new Date(1_700_000_000_000),
    finished_at: new Date(1_700_000_000_100),
    outcome: 'failure',
    error_code: 500,
    error_message: 'boom\u0000',
    response_excerpt: 'body\u0000\uD800',
    delivery_status: 'failed',
  };
  assert.equal(isDataException(await refusal(writeAttempts(knex, [attempt]))), true);
  await writeAttempts(knex, [
    { ...attempt, error_message: pgSafeTextOrNull(attempt.error_message), response_excerpt: pgSafeTextOrNull(attempt.response_excerpt) },
  ]);
  const rows = (await knex('delivery_attempts').select('error_message', 'response_excerpt')) as Array<{ error_message: string; response_excerpt: string }>;
  assert.deepEqual(rows, [{ error_message: 'boom\uFFFD', response_excerpt: 'body\uFFFD\uFFFD' }]);
});

test('connection failures, shutdowns and constraint violations are not data exceptions', async (t) => {
  const { knex, url } = await createDatabase(t);
  const port = await findFreePort(); // nothing listens there
  const refused = await refusal(new pg.Client({ connectionString: `postgres://u:p@127.0.0.1:${port}/none` }).connect());
  assert.equal((refused as { code?: unknown }).code, 'ECONNREFUSED');
  assert.equal(sqlStateOf(refused), undefined);
  assert.equal(isDataException(refused), false);

  // The server ending a session (57P01 admin_shutdown), as in a restart: transient.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on('error', () => undefined);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const terminated = await refusal(knex.raw('SELECT pg_terminate_backend(?)', [rows[0]?.pid ?? 0]).then(() => client.query('SELECT 1')));
  assert.equal(isDataException(terminated), false);
  await client.end().catch(() => undefined);

  await knex.raw('CREATE TABLE uniq (id integer PRIMARY KEY)');
  await knex.raw('INSERT INTO uniq VALUES (1)');
  const duplicate = await refusal(knex.raw('INSERT INTO uniq VALUES (1)'));
  assert.equal(sqlStateOf(duplicate), '23505');
  assert.equal(isDataException(duplicate), false);

  // A Node error whose code looks like a SQLSTATE is not one: no server severity.
  assert.equal(sqlStateOf(Object.assign(new Error('x'), { code: '22000' })), undefined);
});
