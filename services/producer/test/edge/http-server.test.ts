// The HTTP mirror listens from the start but loads fastify and its routes on the first request: a
// producer that only takes gRPC never loads them, and requests that arrive while they load are answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProducer } from '../fixture.ts';
import { fastifyLoaded, reportOverHttp } from './http-load.ts';

test('fastify loads on the first HTTP request, not at start, and every request of the first burst is answered', async (t) => {
  const p = await startProducer(t);
  const viaGrpc = await p.client.report({ event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{}') } });
  assert.equal(viaGrpc.ret?.code ?? 0, 0);
  assert.equal(fastifyLoaded(), false, 'a producer that has only taken gRPC loaded fastify');

  const answers = await Promise.all(Array.from({ length: 8 }, (_, n) => reportOverHttp(p.httpUrl, n)));
  const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as { event_id: string; ret: { code: number } } })));
  for (const { status, body } of bodies) assert.deepEqual({ status, code: body.ret.code }, { status: 200, code: 0 }, JSON.stringify(body));
  assert.equal(new Set(bodies.map(({ body }) => body.event_id)).size, 8, 'each Report got its own event id');
  assert.equal(fastifyLoaded(), true);

  // Loaded once: later requests, and fastify's own answers (404, 413), go straight to the app.
  const missing = await fetch(`${p.httpUrl}/v1/nope`, { method: 'POST', body: '{}' });
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { ret: { msg: string } }).ret.msg, /no route POST \/v1\/nope/);
});
