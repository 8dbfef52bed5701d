// EY_REQUIRE_API_KEY=auto (the default): anonymous Reports until the first active key exists, keys
// required from then on (followed through api_keys NOTIFY, no restart), revocation effective at once,
// and a presented key that is not valid refused even while anonymous Reports are accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@eventyard/core';
import { createApiKey, revokeApiKey } from '@eventyard/db';
import { createReportClient } from '@eventyard/sdk';
import { startProducer, waitFor } from './fixture.ts';

const event = { app_id: 'shop', topic_id: 'order' };

async function anonymousAccepted(report: () => Promise<{ ret: { code: number } | null }>): Promise<boolean> {
  try {
    return ((await report()).ret?.code ?? 0) === 0;
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.UNAUTHENTICATED) return false;
    throw err;
  }
}

test('auto mode: anonymous until a key exists, then required; revoked keys refused', async (t) => {
  const p = await startProducer(t);
  assert.equal((await p.client.report({ event })).ret?.code ?? 0, 0, 'no key exists: anonymous Report accepted');
  const http = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event }) });
  assert.equal(http.status, 200);

  // A presented key is checked even now.
  const wrong = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: 'eyk_000000000000_nope' });
  t.after(() => wrong.close());
  await assert.rejects(wrong.report({ event }), { code: grpc.status.UNAUTHENTICATED, details: 'authorization: unknown, revoked or expired API key' });

  const { key, secret } = await createApiKey(p.db.knex, { name: 'shop', app_ids: ['shop'] });
  await waitFor(async () => !(await anonymousAccepted(() => p.client.report({ event }))), 10_000, 'anonymous Reports to be refused once a key exists');
  await assert.rejects(p.client.report({ event }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.UNAUTHENTICATED);
    assert.equal(err.details, 'authorization: an API key is required (authorization: Bearer <key>)');
    return true;
  });
  const anonymousHttp = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event }) });
  assert.equal(anonymousHttp.status, 401);
  const body = (await anonymousHttp.json()) as { event_id: string; ret: { code: number; msg: string } };
  assert.equal(body.ret.code, 10000);
  assert.match(body.event_id, /^\d+$/);

  const keyed = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: secret });
  t.after(() => keyed.close());
  assert.equal((await keyed.report({ event })).ret?.code ?? 0, 0);
  await assert.rejects(keyed.report({ event: { app_id: 'blog', topic_id: 'post' } }), { code: grpc.status.PERMISSION_DENIED });

  assert.equal(await revokeApiKey(p.db.knex, key.id), true);
  // The cached lookup is dropped on the api_keys change: no waiting for a TTL.
  await waitFor(
    async () => {
      try {
        await keyed.report({ event });
        return false;
      } catch (err) {
        return (err as grpc.ServiceError).code === grpc.status.UNAUTHENTICATED;
      }
    },
    10_000,
    'the revoked key to be refused',
  );
  await assert.rejects(keyed.report({ event }), { code: grpc.status.UNAUTHENTICATED, details: 'authorization: unknown, revoked or expired API key' });
  // No active key is left: auto mode accepts anonymous Reports again.
  await waitFor(() => anonymousAccepted(() => p.client.report({ event })), 10_000, 'anonymous Reports once no active key is left');
});

test('EY_REQUIRE_API_KEY=false ignores authorization on ordinary Reports, even with keys present', async (t) => {
  const p = await startProducer(t, { EY_REQUIRE_API_KEY: '0' });
  await createApiKey(p.db.knex, { app_ids: ['shop'] });
  const odd = createReportClient({ address: `127.0.0.1:${p.app.ports.grpc}`, apiKey: 'something-else' });
  t.after(() => odd.close());
  assert.equal((await p.client.report({ event })).ret?.code ?? 0, 0);
  assert.equal((await odd.report({ event })).ret?.code ?? 0, 0);
});

test('start-up says which auth mode is in force', async (t) => {
  const lines: Array<{ level: number; msg: string; requireApiKey?: string }> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) };
  await startProducer(t, {}, { logger: createLogger({ name: 'producer', destination }) });
  const line = lines.find((l) => l.requireApiKey !== undefined);
  assert.equal(line?.msg, 'no API key exists: accepting anonymous Reports until one is created');
  assert.equal(line.level, 40, 'a warning');
  assert.equal(line.requireApiKey, 'auto');
});
