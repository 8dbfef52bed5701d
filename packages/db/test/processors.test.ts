import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { deleteProcessor, getProcessor, listProcessors, setProcessorFlags, upsertProcessor, type ProcessorInput } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const billing: ProcessorInput = { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' };

function hasCode(code: string, field?: string) {
  return (err: unknown): boolean => {
    assert.ok(isEventyardError(err), `expected an EventyardError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (field !== undefined) {
      assert.equal(err.context.field, field);
      assert.ok(err.message.startsWith(field), `message names the field: ${err.message}`);
    }
    return true;
  };
}

test('a processor is created with defaults, read back, fully replaced by a second upsert, and deleted', async (t) => {
  const { knex } = await createDatabase(t);
  const created = await upsertProcessor(knex, {
    ...billing,
    timeout: 3000,
    retry_strategy: { retry_count: 3, retry_interval: 1000 },
    filter_tag: { vip: true },
    filter: { amount: { $gt: 100 } },
    webhook_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    tls: { ca_file: '/etc/eventyard/processor-tls/billing/ca.crt', server_name: 'billing.internal' },
  });
  assert.equal(created.version, 1);
  assert.deepEqual(created.tls, { ca_file: '/etc/eventyard/processor-tls/billing/ca.crt', server_name: 'billing.internal' });
  assert.equal(created.timeout, 3000);
  assert.deepEqual(created.retry_strategy, { retry_count: 3, retry_interval: 1000, strategy_type: '' });
  assert.deepEqual(created.filter_tag, { vip: true });
  assert.deepEqual(created.filter, { amount: { $gt: 100 } });
  assert.equal(created.is_stop, false);
  assert.equal(created.delay_process_key, '');
  assert.ok(created.created_at instanceof Date);

  const read = await getProcessor(knex, 'billing');
  assert.deepEqual(read, created);

  // EvHub's POST is a full replace: fields left out go back to their defaults.
  const replaced = await upsertProcessor(knex, { ...billing, addr: 'billing-v2:9001' });
  assert.equal(replaced.version, 2);
  assert.equal(replaced.addr, 'billing-v2:9001');
  assert.equal(replaced.timeout, 0);
  assert.deepEqual(replaced.filter_tag, {});
  assert.equal(replaced.filter, null);
  assert.equal(replaced.webhook_secret, null);
  assert.equal(replaced.tls, null);
  assert.deepEqual(replaced.created_at, created.created_at);

  assert.equal(await deleteProcessor(knex, 'billing'), true);
  assert.equal(await deleteProcessor(knex, 'billing'), false);
  assert.equal(await getProcessor(knex, 'billing'), undefined);
});

test('optimistic locking: a write naming a stale version is a ConflictError and changes nothing', async (t) => {
  const { knex } = await createDatabase(t);
  const v1 = await upsertProcessor(knex, billing, { expectedVersion: 0 });
  assert.equal(v1.version, 1);
  await assert.rejects(upsertProcessor(knex, billing, { expectedVersion: 0 }), hasCode('EY_VERSION_CONFLICT'));

  const v2 = await upsertProcessor(knex, { ...billing, timeout: 100 }, { expectedVersion: 1 });
  assert.equal(v2.version, 2);
  await assert.rejects(upsertProcessor(knex, { ...billing, timeout: 999 }, { expectedVersion: 1 }), (err: unknown) => {
    hasCode('EY_VERSION_CONFLICT')(err);
    assert.ok(isEventyardError(err));
    assert.equal(err.family, 'conflict');
    assert.equal(err.context.currentVersion, 2);
    assert.match(err.message, /expected version 1, current version 2/);
    return true;
  });
  assert.equal((await getProcessor(knex, 'billing'))?.timeout, 100);

  const paused = await setProcessorFlags(knex, 'billing', { is_stop: true }, { expectedVersion: 2 });
  assert.equal(paused?.is_stop, true);
  assert.equal(paused?.version, 3);
  await assert.rejects(setProcessorFlags(knex, 'billing', { is_stop: false }, { expectedVersion: 2 }), hasCode('EY_VERSION_CONFLICT'));
  assert.equal(await setProcessorFlags(knex, 'missing', { paused: true }), undefined);

  await assert.rejects(deleteProcessor(knex, 'billing', { expectedVersion: 2 }), hasCode('EY_VERSION_CONFLICT'));
  assert.equal(await deleteProcessor(knex, 'billing', { expectedVersion: 3 }), true);
  await assert.rejects(upsertProcessor(knex, billing, { expectedVersion: 3 }), (err: unknown) => {
    hasCode('EY_VERSION_CONFLICT')(err);
    assert.match((err as Error).message, /was deleted/);
    return true;
  });
});

test('concurrent versioned writes from the same read: exactly one wins', async (t) => {
  const { knex } = await createDatabase(t);
  await upsertProcessor(knex, billing);
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => upsertProcessor(knex, { ...billing, timeout: i + 1 }, { expectedVersion: 1 })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') hasCode('EY_VERSION_CONFLICT')(r.reason);
  assert.equal((await getProcessor(knex, 'billing'))?.version, 2);
});

test('dispatcher_id must be usable in a Kafka topic name', async (t) => {
  const { knex } = await createDatabase(t);
  const maxLength = 249 - 'eventyard.deliveries.'.length;
  for (const bad of ['', 'has space', 'slash/no', 'ünïcode', '.', '..', 'x'.repeat(maxLength + 1)]) {
    await assert.rejects(
      upsertProcessor(knex, { ...billing, dispatcher_id: bad }),
      hasCode('EY_INVALID_DISPATCHER_ID', 'dispatcher_id'),
      `rejects ${JSON.stringify(bad)}`,
    );
  }
  const longest = 'a'.repeat(maxLength);
  assert.equal((await upsertProcessor(knex, { ...billing, dispatcher_id: longest })).dispatcher_id, longest);
  assert.equal((await upsertProcessor(knex, { ...billing, dispatcher_id: 'Team-A.billing_v2' })).version, 1);
});

test('other bad fields are rejected with a ValidationError naming them', async (t) => {
  const { knex } = await createDatabase(t);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ app_id: '' }, 'app_id'],
    [{ topic_id: undefined }, 'topic_id'],
    [{ protocol_type: 'smtp' }, 'protocol_type'],
    [{ addr: '' }, 'addr'],
    [{ timeout: -1 }, 'timeout'],
    [{ timeout: 1.5 }, 'timeout'],
    [{ retry_strategy: { retry_count: 'three' } }, 'retry_strategy.retry_count'],
    [{ retry_strategy: [] }, 'retry_strategy'],
    [{ flow_control_strategy: { qps: -5 } }, 'flow_control_strategy.qps'],
    [{ filter_tag: { vip: 'yes' } }, 'filter_tag.vip'],
    [{ is_stop: 'true' }, 'is_stop'],
  ];
  for (const [patch, field] of cases) {
    await assert.rejects(upsertProcessor(knex, { ...billing, ...patch }), (err: unknown) => {
      hasCode('EY_INVALID_CONFIG', field)(err);
      assert.equal((err as { resultCode: number }).resultCode, 10000);
      return true;
    });
  }
  assert.deepEqual(await listProcessors(knex), []);
});

test('processors are listed by topic with keyset pagination', async (t) => {
  const { knex } = await createDatabase(t);
  for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await upsertProcessor(knex, { ...billing, dispatcher_id: id });
  await upsertProcessor(knex, { ...billing, dispatcher_id: 'other', topic_id: 'refund' });

  const seen: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listProcessors(knex, { app_id: 'shop', topic_id: 'order', limit: 2, ...(after === undefined ? {} : { after }) });
    if (page.length === 0) break;
    seen.push(...page.map((p) => p.dispatcher_id));
    after = page.at(-1)?.dispatcher_id;
  }
  assert.deepEqual(seen, ['p1', 'p2', 'p3', 'p4', 'p5']);
  assert.deepEqual(
    (await listProcessors(knex, { topic_id: 'refund' })).map((p) => p.dispatcher_id),
    ['other'],
  );
  assert.equal((await listProcessors(knex)).length, 6);
});
