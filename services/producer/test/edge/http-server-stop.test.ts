// A producer stopped while its HTTP routes load (http-server.ts loads fastify on the first request)
// answers the request that waited for them. Its own file: the load happens once per process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProducer } from '../fixture.ts';
import { fastifyLoaded, reportOverHttp } from './http-load.ts';

test('a producer stopped while its routes load still answers the request that waited for them', async (t) => {
  const p = await startProducer(t);
  assert.equal(fastifyLoaded(), false, 'fastify was loaded before the first request');
  const answer = reportOverHttp(p.httpUrl, 1).then(
    async (r) => ({ status: r.status, body: (await r.json()) as { ret?: { code: number } } }),
    (err: unknown) => ({ error: `${String(err)} ${String((err as { cause?: unknown }).cause)}` }),
  );
  // The stop begins once the request has started the load (fastify's module is being read): the request
  // is in the server, waiting for the routes.
  while (!fastifyLoaded()) await new Promise((resolve) => setImmediate(resolve));
  await p.app.close();
  const got = await answer;
  assert.ok(!('error' in got), `the request got no answer: ${JSON.stringify(got)}`);
  // Taken (200) before intake closed, or refused as unavailable (503) after: never dropped.
  assert.ok(got.status === 200 || got.status === 503, JSON.stringify(got));
});
