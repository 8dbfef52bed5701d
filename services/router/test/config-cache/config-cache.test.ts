// ConfigCache against a real database: it follows inserts, updates and deletes through NOTIFY alone
// (the periodic reload is set far beyond the test), and a stored filter that does not compile leaves
// that processor matching nothing instead of failing the load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricsRegistry, silentLogger } from '@eventyard/core';
import { deleteProcessor, setProcessorFlags, upsertProcessor } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { ConfigCache } from '../../src/config-cache/config-cache.ts';
import { createRouterMetrics } from '../../src/metrics.ts';
import { waitFor } from '../fixture.ts';

const base = { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' } as const;

test('changes reach the index through NOTIFY; a bad stored filter matches nothing', async (t) => {
  const { knex, url } = await createDatabase(t);
  await upsertProcessor(knex, { ...base, dispatcher_id: 'first' });
  const registry = createMetricsRegistry('router-test');
  const cache = new ConfigCache({ knex, databaseUrl: url, reloadMs: 3_600_000, logger: silentLogger(), metrics: createRouterMetrics(registry) });
  t.after(() => cache.close());
  await cache.start();
  const ids = () => cache.index.targetsOf('shop', 'order').map((p) => `${p.dispatcherId}:${p.active ? 'on' : 'off'}`);
  assert.deepEqual(ids(), ['first:on']);

  await upsertProcessor(knex, { ...base, dispatcher_id: 'second', filter: { amount: { $gtt: 1 } } });
  await waitFor(() => ids().length === 2, 5000, 'the new processor');
  const second = cache.index.targetsOf('shop', 'order').find((p) => p.dispatcherId === 'second');
  assert.equal(second?.filters, null, 'its filter does not compile');
  assert.deepEqual(
    cache.index.filterProblems.map((p) => p.dispatcherId),
    ['second'],
  );
  assert.match(await registry.metrics(), /eventyard_router_processors\{state="invalid_filter"[^}]*\} 1/);

  await setProcessorFlags(knex, 'first', { is_stop: true });
  await waitFor(() => ids().includes('first:off'), 5000, 'the stop flag');
  await deleteProcessor(knex, 'second');
  await waitFor(() => ids().length === 1, 5000, 'the deletion');
  assert.deepEqual(ids(), ['first:off']);
});
