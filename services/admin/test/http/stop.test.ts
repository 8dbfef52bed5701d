// Stopping the admin with a keep-alive client: a request in flight when the stop begins is answered,
// and its connection, idle once answered, does not hold the stop for the grace period.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { startAdmin, TEST_ADMIN_TOKEN } from '../fixture.ts';

const GRACE_MS = 30_000;

test('a request in flight at the stop is answered, and its idle keep-alive connection does not hold the stop', async (t) => {
  const { app, db, baseUrl } = await startAdmin(t, { EY_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const get = (path: string) =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = http.get(`${baseUrl}${path}`, { agent, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
    });
  // Held by a lock on the processors table, the request is in the admin when the stop begins.
  const trx = await db.knex.transaction();
  await trx.raw('LOCK TABLE processors IN ACCESS EXCLUSIVE MODE');
  const inFlight = get('/v1/processors');
  for (;;) {
    const { rows } = await db.knex.raw<{ rows: unknown[] }>(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'eventyard-admin' AND wait_event_type = 'Lock'",
    );
    if (rows.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const began = performance.now();
  const stopped = app.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await trx.rollback();
  const answer = await inFlight;
  assert.equal(answer.status, 200);
  await stopped;
  const stopMs = performance.now() - began;
  // Not a timing claim: without the sweep the stop waited out the whole grace period.
  assert.ok(stopMs < GRACE_MS / 3, `the stop took ${Math.round(stopMs)} ms of a ${GRACE_MS} ms grace period`);
});
