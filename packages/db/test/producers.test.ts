import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { deleteProducer, getProducer, listProducers, upsertProducer } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

test('producer configs: upsert with EvHub fields, optimistic lock, list and delete', async (t) => {
  const { knex } = await createDatabase(t);
  const created = await upsertProducer(knex, {
    app_id: 'shop',
    topic_id: 'order',
    tx_protocol_type: 5,
    tx_address: 'shop:8080/tx',
    tx_timeout: 5000,
    tx_callback_interval: 120000,
    qps: 100,
    total_msg: 9_000_000_000,
  });
  assert.equal(created.version, 1);
  assert.equal(created.total_msg, 9_000_000_000);
  assert.deepEqual(await getProducer(knex, 'shop', 'order'), created);

  const updated = await upsertProducer(knex, { app_id: 'shop', topic_id: 'order', tx_address: 'shop:8081/tx' }, { expectedVersion: 1 });
  assert.equal(updated.version, 2);
  assert.equal(updated.tx_protocol_type, 0, 'a POST is a full replace');
  await assert.rejects(upsertProducer(knex, { app_id: 'shop', topic_id: 'order' }, { expectedVersion: 1 }), (err: unknown) => {
    assert.ok(isEventyardError(err));
    assert.equal(err.code, 'EY_VERSION_CONFLICT');
    return true;
  });
  await assert.rejects(upsertProducer(knex, { app_id: 'shop', topic_id: '' }), (err: unknown) => {
    assert.ok(isEventyardError(err));
    assert.equal(err.context.field, 'topic_id');
    return true;
  });
  await assert.rejects(upsertProducer(knex, { app_id: 'shop', topic_id: 'x', tx_timeout: -1 }), /tx_timeout must be a non-negative integer/);

  await upsertProducer(knex, { app_id: 'shop', topic_id: 'refund' });
  await upsertProducer(knex, { app_id: 'blog', topic_id: 'post' });
  assert.deepEqual(
    (await listProducers(knex)).map((p) => `${p.app_id}/${p.topic_id}`),
    ['blog/post', 'shop/order', 'shop/refund'],
  );
  assert.deepEqual(
    (await listProducers(knex, { after: { app_id: 'shop', topic_id: 'order' } })).map((p) => p.topic_id),
    ['refund'],
  );
  assert.deepEqual(
    (await listProducers(knex, { app_id: 'shop', limit: 1 })).map((p) => p.topic_id),
    ['order'],
  );

  assert.equal(await deleteProducer(knex, 'shop', 'order'), true);
  assert.equal(await getProducer(knex, 'shop', 'order'), undefined);
});

test('producer tls: file paths stored as JSON for the check-back, null when absent; refused on a plain http:// check-back', async (t) => {
  const { knex } = await createDatabase(t);
  const tls = {
    ca_file: '/etc/eventyard/processor-tls/shop/ca.crt',
    cert_file: '/etc/eventyard/processor-tls/shop/tls.crt',
    key_file: '/etc/eventyard/processor-tls/shop/tls.key',
  };
  const saved = await upsertProducer(knex, { app_id: 'shop', topic_id: 'order', tx_address: 'shop.internal:9001', tls });
  assert.deepEqual(saved.tls, tls);
  assert.deepEqual((await getProducer(knex, 'shop', 'order'))?.tls, tls);
  assert.equal((await upsertProducer(knex, { app_id: 'shop', topic_id: 'order', tx_address: 'shop.internal:9001' })).tls, null);
  await assert.rejects(
    upsertProducer(knex, { app_id: 'shop', topic_id: 'refund', tx_protocol_type: 5, tx_address: 'shop:8081/tx', tls }),
    /tls applies to an https:\/\/ tx_address only/,
  );
  assert.deepEqual(
    (await upsertProducer(knex, { app_id: 'shop', topic_id: 'refund', tx_protocol_type: 5, tx_address: 'https://shop.example/tx', tls: {} })).tls,
    {},
  );
});
