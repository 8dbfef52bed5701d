import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deleteProcessor, listenConfigChanges, notifyConfigChange, setProcessorFlags, upsertProcessor, upsertProducer, type ConfigChange } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const processor = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' } as const;

test('every config write reaches a listener on another connection', async (t) => {
  const { knex, url } = await createDatabase(t);
  const changes: ConfigChange[] = [];
  const listener = listenConfigChanges(url, (change) => changes.push(change));
  t.after(() => listener.close());
  await listener.ready;

  await upsertProcessor(knex, { ...processor, webhook_secret: 'whsec_bm90LWluLW5vdGlmaWNhdGlvbnMtbm90LWluLW5vdGlm' });
  await upsertProcessor(knex, { ...processor, timeout: 10 });
  await setProcessorFlags(knex, 'billing', { is_stop: true });
  await deleteProcessor(knex, 'billing');
  await upsertProducer(knex, { app_id: 'shop', topic_id: 'order' });
  await notifyConfigChange(knex, { table: 'filters', op: 'RELOAD', key: {} });

  await waitFor(() => changes.length >= 6, 'six notifications');
  assert.deepEqual(changes, [
    { table: 'processors', op: 'INSERT', key: { dispatcher_id: 'billing' }, version: 1 },
    { table: 'processors', op: 'UPDATE', key: { dispatcher_id: 'billing' }, version: 2 },
    { table: 'processors', op: 'UPDATE', key: { dispatcher_id: 'billing' }, version: 3 },
    { table: 'processors', op: 'DELETE', key: { dispatcher_id: 'billing' }, version: 3 },
    { table: 'producers', op: 'INSERT', key: { app_id: 'shop', topic_id: 'order' }, version: 1 },
    { table: 'filters', op: 'RELOAD', key: {}, version: null },
  ]);
});

test('a notification is sent only when the writing transaction commits', async (t) => {
  const { knex, url } = await createDatabase(t);
  const changes: ConfigChange[] = [];
  const listener = listenConfigChanges(url, (change) => changes.push(change));
  t.after(() => listener.close());
  await listener.ready;

  await assert.rejects(
    knex.transaction(async (trx) => {
      await upsertProcessor(trx, { ...processor, dispatcher_id: 'rolled-back' });
      throw new Error('abort');
    }),
    /abort/,
  );
  await upsertProcessor(knex, processor);
  await waitFor(() => changes.length >= 1, 'the committed change');
  assert.deepEqual(
    changes.map((c) => c.key),
    [{ dispatcher_id: 'billing' }],
  );
});

test('the listener reconnects after its connection is killed and asks for a resync', async (t) => {
  const { knex, url, name } = await createDatabase(t);
  const changes: ConfigChange[] = [];
  const listener = listenConfigChanges(url, (change) => changes.push(change), { reconnectDelayMs: 20 });
  t.after(() => listener.close());
  await listener.ready;

  const killed = await knex.raw<{ rows: unknown[] }>(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'eventyard-config-listener' AND datname = ?",
    [name],
  );
  assert.equal(killed.rows.length, 1);
  await waitFor(() => changes.some((c) => c.op === 'RESYNC'), 'a resync after reconnecting');
  assert.deepEqual(changes[0], { table: '*', op: 'RESYNC', key: {}, version: null });

  await upsertProcessor(knex, processor);
  await waitFor(() => changes.some((c) => c.op === 'INSERT'), 'a change after the reconnect');
});
