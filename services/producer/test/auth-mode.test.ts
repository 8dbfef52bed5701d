// Ingest authentication without a fail-open mode: EY_REQUIRE_API_KEY=true (the default) requires a key
// from the first Report on, whatever keys exist, and revoking the last key never reopens ingest; an
// operator opens one (app_id, topic_id) to anonymous Reports with the producer config's `anonymous`; a
// presented key is checked even there; failed key lookups are rate-limited per client address without
// pushing valid keys out of the cache; EY_REQUIRE_API_KEY=false ignores keys on ordinary Reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createLogger, silentLogger } from '@eventyard/core';
import { createApiKey, revokeApiKey, upsertProducer } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { createReportClient } from '@eventyard/sdk';
import { ApiKeyAuth } from '../src/auth/api-key-auth.ts';
import { startProducer, waitFor } from './fixture.ts';

const event = { app_id: 'shop', topic_id: 'order' };

/** true = accepted, false = refused as unauthenticated; anything else is a failure of the test. */
async function accepted(report: () => Promise<{ ret: { code: number } | null }>): Promise<boolean> {
  try {
    return ((await report()).ret?.code ?? 0) === 0;
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.UNAUTHENTICATED) return false;
    throw err;
  }
}

function captureLog(): { logger: ReturnType<typeof createLogger>; lines: Array<{ level: number; msg: string; requireApiKey?: boolean }> } {
  const lines: Array<{ level: number; msg: string; requireApiKey?: boolean }> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) };
  return { logger: createLogger({ name: 'producer', destination }), lines };
}

test('EY_REQUIRE_API_KEY=true: a key from the start, and revoking the last key keeps ingest closed', async (t) => {
  const { logger, lines } = captureLog();
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: 'true', EY_API_KEY_POLL_MS: '200' }, { logger });
  assert.equal(await accepted(() => p.client.report({ event })), false, 'no key exists, and still none is accepted without one');
  const http = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event }) });
  assert.equal(http.status, 401);

  const { key, secret } = await createApiKey(p.db.knex, { name: 'shop', app_ids: ['shop'] });
  const keyed = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: secret });
  t.after(() => keyed.close());
  assert.equal((await keyed.report({ event })).ret?.code ?? 0, 0);

  assert.equal(await revokeApiKey(p.db.knex, key.id), true);
  await waitFor(async () => !(await accepted(() => keyed.report({ event }))), 10_000, 'the revoked key to be refused');
  // The watch has seen that no active key is left (what used to reopen ingest): anonymous stays refused.
  await waitFor(() => Promise.resolve(lines.some((l) => l.msg.startsWith('no active API key left'))), 10_000, 'the key watch to see no active key');
  for (let i = 0; i < 3; i++) assert.equal(await accepted(() => p.client.report({ event })), false, 'anonymous Report after the last key was revoked');
  const after = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event }) });
  assert.equal(after.status, 401);
});

test('the producer config grants anonymous Reports to its (app_id, topic_id) only', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: 'true' });
  const kiosk = { app_id: 'kiosk', topic_id: 'ping' };
  await upsertProducer(p.db.knex, { ...kiosk, anonymous: true });
  await waitFor(() => accepted(() => p.client.report({ event: kiosk })), 10_000, 'the anonymous grant to apply');
  const http = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event: kiosk }) });
  assert.equal(http.status, 200);
  assert.equal(await accepted(() => p.client.report({ event: { app_id: 'kiosk', topic_id: 'other' } })), false, 'another topic of the app');
  assert.equal(await accepted(() => p.client.report({ event })), false, 'another app');
  // A presented key is still checked: a caller sending one means to be identified by it.
  const wrong = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: 'eyk_000000000000_nope' });
  t.after(() => wrong.close());
  assert.equal(await accepted(() => wrong.report({ event: kiosk })), false);

  await upsertProducer(p.db.knex, { ...kiosk, anonymous: false });
  await waitFor(async () => !(await accepted(() => p.client.report({ event: kiosk }))), 10_000, 'the withdrawn grant to apply');
});

test('failed key lookups are rate-limited per client address; known good keys keep working', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: 'true', EY_AUTH_FAILURE_LIMIT: '3', EY_AUTH_FAILURE_WINDOW_MS: '600000' });
  const { secret } = await createApiKey(p.db.knex, { name: 'shop', app_ids: ['shop'] });
  const keyed = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: secret });
  t.after(() => keyed.close());
  assert.equal((await keyed.report({ event })).ret?.code ?? 0, 0);

  const guesses = Array.from({ length: 3 }, (_, i) => createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: `eyk_00000000000${i}_guess` }));
  t.after(() => guesses.forEach((c) => c.close()));
  for (const guess of guesses) await assert.rejects(guess.report({ event }), { code: grpc.status.UNAUTHENTICATED });
  await assert.rejects(guesses[0]!.report({ event }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(err.details, /too many failed API key lookups from 127\.0\.0\.1 \(limit EY_AUTH_FAILURE_LIMIT=3 per EY_AUTH_FAILURE_WINDOW_MS=600000\)/);
    assert.ok(Number(err.metadata.get('grpc-retry-pushback-ms')[0]) > 0, 'the wait in the pushback trailer');
    assert.equal(err.metadata.get('ey-ret-code')[0], '20005');
    return true;
  });
  const http = await fetch(`${p.httpUrl}/v1/report`, {
    method: 'POST',
    headers: { authorization: 'Bearer eyk_000000000009_guess' },
    body: JSON.stringify({ event }),
  });
  assert.equal(http.status, 429);
  assert.ok(Number(http.headers.get('retry-after')) >= 1);
  const body = (await http.json()) as { ret: { code: number; msg: string } };
  assert.equal(body.ret.code, 20005);
  assert.match(body.ret.msg, /EY_AUTH_FAILURE_LIMIT=3/);
  // The valid key is not a failed lookup: it still works from the same address.
  assert.equal((await keyed.report({ event })).ret?.code ?? 0, 0);
});

test('unknown keys cannot push valid ones out of the lookup cache', async (t) => {
  const db = await createDatabase(t);
  const { key, secret } = await createApiKey(db.knex, { name: 'shop', app_ids: ['shop'] });
  const auth = new ApiKeyAuth({
    knex: db.knex,
    requireApiKey: true,
    grants: { anonymousAllowed: () => false },
    failures: { limit: 1000, windowMs: 60_000 },
    logger: silentLogger(),
    cacheTtlMs: 600_000,
    cacheMaxEntries: 2,
  });
  const target = { appId: 'shop', topicId: 'order' };
  assert.equal((await auth.authorize({ authorization: `Bearer ${secret}`, address: '10.0.0.1' }, target))?.id, key.id);
  for (let i = 0; i < 10; i++) {
    await assert.rejects(auth.authorize({ authorization: `Bearer eyk_00000000000${i}_flood`, address: '10.0.0.2' }, target), { code: 'EY_UNAUTHENTICATED' });
  }
  // Gone from Postgres (without the watch that would clear the cache): only the cache can still know it.
  await db.knex('api_keys').where({ id: key.id }).delete();
  assert.equal((await auth.authorize({ authorization: `Bearer ${secret}`, address: '10.0.0.1' }, target))?.id, key.id, 'still cached after the flood');
});

test('EY_REQUIRE_API_KEY=false ignores authorization on ordinary Reports, even with keys present', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: '0' });
  await createApiKey(p.db.knex, { app_ids: ['shop'] });
  const odd = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: 'something-else' });
  t.after(() => odd.close());
  assert.equal((await p.client.report({ event })).ret?.code ?? 0, 0);
  assert.equal((await odd.report({ event })).ret?.code ?? 0, 0);
});

test('start-up says which Reports are accepted, warning when none can be', async (t) => {
  const { logger, lines } = captureLog();
  await startProducer(t, { EY_REQUIRE_API_KEY: 'true' }, { logger });
  const line = lines.find((l) => l.requireApiKey !== undefined);
  assert.equal(line?.msg, 'API keys required but none exists: only Reports for producer configs granting anonymous access are accepted until a key is created');
  assert.equal(line.level, 40, 'a warning');
  assert.equal(line.requireApiKey, true);
});
