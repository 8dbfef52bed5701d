import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter } from 'prom-client';
import { createMetricsRegistry, startHealthServer } from '../src/index.ts';

test('healthz, readyz with failing checks named, metrics from the service registry', async (t) => {
  const registry = createMetricsRegistry('unit');
  new Counter({ name: 'eventyard_unit_things_total', help: 'things', registers: [registry] }).inc(3);
  let kafkaReady = false;
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', registry, readiness: { kafka: () => kafkaReady, postgres: () => true } });
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;

  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  const notReady = await fetch(`${base}/readyz`);
  assert.equal(notReady.status, 503);
  assert.deepEqual(await notReady.json(), { status: 'not_ready', failing: ['kafka'] });
  kafkaReady = true;
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /eventyard_unit_things_total\{service="unit"\} 3/);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
});
