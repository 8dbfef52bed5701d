import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  claimIdempotencyKey,
  countOpenTransactionsForApp,
  countPendingTimersForApp,
  createApiKey,
  findApiKeyBySecret,
  getProcessor,
  getProducer,
  insertTimers,
  listProducerIngestSettings,
  migrateLatest,
  migrateRollbackAll,
  migrationSource,
  migrationStatus,
  upsertProcessor,
  upsertProducer,
  type Knex,
} from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const TABLES = [
  'api_keys',
  'deliveries',
  'delivery_attempts',
  'events',
  'idempotency_keys',
  'node_id_leases',
  'outbox',
  'processor_auto_pauses',
  'processor_breaker_transitions',
  'processor_breakers',
  'processors',
  'producers',
  'repeat_chains',
  'replay_jobs',
  'schedules',
  'sources',
  'transactions',
];

/** Every migration, in order: the one list the tests below check applies, rollbacks and status against. */
const MIGRATIONS = [
  '0001_config',
  '0002_history',
  '0003_runtime',
  '0004_repeat_chains',
  '0005_history_query_indexes',
  '0006_replay_jobs',
  '0007_processor_is_retry_unset',
  '0008_transaction_broadcast',
  '0009_idempotency_in_progress',
  '0010_api_key_admin_permissions',
  '0011_event_status_reason',
  '0012_ingest_quotas',
  '0013_processor_tls',
  '0014_processor_secrets',
  '0015_processor_health',
  '0016_processor_transform',
  '0017_event_trace_id',
  '0018_deliveries_unused_due_index',
  '0019_sources',
];

async function tableNames(knex: Knex): Promise<string[]> {
  const rows = (await knex('pg_tables')
    .where({ schemaname: 'public' })
    .whereNot('tablename', 'like', 'knex_%')
    .orderBy('tablename')
    .pluck('tablename')) as string[];
  return rows;
}

test('migrations apply, roll back all the way, and re-apply', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  assert.deepEqual(await migrateLatest(knex), MIGRATIONS);
  assert.deepEqual(await tableNames(knex), TABLES);
  assert.deepEqual(await migrateLatest(knex), [], 'a second latest applies nothing');

  assert.deepEqual(await migrateRollbackAll(knex), MIGRATIONS.toReversed());
  assert.deepEqual(await tableNames(knex), []);
  const functions = await knex('pg_proc').where({ proname: 'eventyard_notify_config_change' }).count<Array<{ count: string }>>('* as count');
  assert.equal(functions[0]?.count, '0', 'the notify trigger function is dropped too');
  assert.deepEqual(await migrationStatus(knex), {
    applied: [],
    pending: MIGRATIONS,
  });

  await migrateLatest(knex);
  assert.deepEqual(await tableNames(knex), TABLES);
  const leases = await knex('node_id_leases').count<Array<{ count: string }>>('* as count');
  assert.equal(leases[0]?.count, '1024', 'every node id has a lease row after re-applying');
});

test('migrate-cli applies and rolls back the schema on DATABASE_URL', async (t) => {
  const { knex, url } = await createDatabase(t, { migrate: false });
  const cli = path.join(import.meta.dirname, '..', 'src', 'migrate-cli.ts');
  const run = (command: string, env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url }) =>
    promisify(execFile)(process.execPath, [cli, command], { env });

  assert.match((await run('latest')).stdout, new RegExp(`migrations applied: ${MIGRATIONS.join(', ')}`));
  assert.deepEqual(await tableNames(knex), TABLES);
  assert.match((await run('status')).stdout, /pending: -/);
  assert.match((await run('rollback')).stdout, new RegExp(`rolled back: ${MIGRATIONS.toReversed().join(', ')}`));
  assert.deepEqual(await tableNames(knex), []);

  const { DATABASE_URL: _omitted, ...envWithout } = process.env;
  await assert.rejects(run('latest', envWithout), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.equal(err.stderr.trim(), 'config: DATABASE_URL: required');
    return true;
  });
});

test('0007: stored is_retry false (ambiguous before) becomes "not set", true stays; rollback writes false back', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  await knex.migrate.down({ migrationSource, name: '0007_processor_is_retry_unset' }); // is_retry NOT NULL DEFAULT false again
  const base = { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' } as const;
  await upsertProcessor(knex, { ...base, dispatcher_id: 'unset', is_retry: false });
  await upsertProcessor(knex, { ...base, dispatcher_id: 'on', is_retry: true });

  assert.deepEqual(await migrateLatest(knex), ['0007_processor_is_retry_unset']);
  assert.equal((await getProcessor(knex, 'unset'))?.is_retry, null, 'dispatched as before: retries per retry_strategy');
  assert.equal((await getProcessor(knex, 'on'))?.is_retry, true);
  assert.equal((await upsertProcessor(knex, { ...base, dispatcher_id: 'off', is_retry: false })).is_retry, false, 'an explicit false is kept');
  assert.equal((await upsertProcessor(knex, { ...base, dispatcher_id: 'absent' })).is_retry, null);

  await knex.migrate.down({ migrationSource, name: '0007_processor_is_retry_unset' });
  const rows = (await knex('processors').orderBy('dispatcher_id').select('dispatcher_id', 'is_retry')) as Array<{ dispatcher_id: string; is_retry: boolean }>;
  assert.deepEqual(rows, [
    { dispatcher_id: 'absent', is_retry: false },
    { dispatcher_id: 'off', is_retry: false },
    { dispatcher_id: 'on', is_retry: true },
    { dispatcher_id: 'unset', is_retry: false },
  ]);
});

test('0009: existing idempotency keys stay done; rollback drops in-progress claims and keeps done keys', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  await knex.migrate.down({ migrationSource, name: '0009_idempotency_in_progress' });
  const key = { app_id: 'shop', topic_id: 'order' };
  // Rows as the old code wrote them: claimed before publishing, one state.
  await knex('idempotency_keys').insert([
    { ...key, key: 'old-live', event_id: '11', expires_at: knex.raw("now() + interval '1 hour'") },
    { ...key, key: 'old-expired', event_id: '12', expires_at: knex.raw("now() - interval '1 hour'") },
  ]);

  assert.deepEqual(await migrateLatest(knex), ['0009_idempotency_in_progress']);
  const statuses = (await knex('idempotency_keys').orderBy('key').select('key', 'status', 'window_ms')) as Array<{
    key: string;
    status: string;
    window_ms: string | null;
  }>;
  assert.deepEqual(statuses, [
    { key: 'old-expired', status: 'done', window_ms: null },
    { key: 'old-live', status: 'done', window_ms: null },
  ]);
  const claim = { ...key, ttlMs: 60_000, claimTtlMs: 5000 };
  assert.deepEqual(
    await claimIdempotencyKey(knex, { ...claim, key: 'old-live', event_id: '21' }),
    { status: 'done', event_id: '11' },
    'an old key still answers its event id',
  );
  assert.deepEqual(await claimIdempotencyKey(knex, { ...claim, key: 'old-expired', event_id: '22' }), { status: 'claimed', event_id: '22' });
  assert.deepEqual(await claimIdempotencyKey(knex, { ...claim, key: 'new', event_id: '23' }), { status: 'claimed', event_id: '23' });
  await assert.rejects(
    knex('idempotency_keys').insert({ ...key, key: 'no-status', event_id: '24', expires_at: knex.fn.now() }),
    /null value in column "status"/,
    'a new row must say its status',
  );
  await assert.rejects(
    knex('idempotency_keys').insert({ ...key, key: 'no-window', event_id: '25', status: 'in_progress', expires_at: knex.fn.now() }),
    /idempotency_keys_in_progress_window/,
  );

  await knex.migrate.down({ migrationSource, name: '0009_idempotency_in_progress' });
  const rows = (await knex('idempotency_keys').orderBy('key').select('key', 'event_id')) as Array<{ key: string; event_id: string }>;
  assert.deepEqual(rows, [{ key: 'old-live', event_id: '11' }], 'in-progress claims are dropped: the old table would take them for written events');
  const columns = (await knex('information_schema.columns').where({ table_name: 'idempotency_keys' }).orderBy('column_name').pluck('column_name')) as string[];
  assert.deepEqual(columns, ['app_id', 'created_at', 'event_id', 'expires_at', 'key', 'topic_id']);
});

test('0010: API keys take the admin permissions; rollback removes only keys holding one', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  await knex.migrate.down({ migrationSource, name: '0010_api_key_admin_permissions' });
  const old = await createApiKey(knex, { app_ids: ['*'], permissions: ['report', 'admin'] });
  await assert.rejects(
    createApiKey(knex, { app_ids: ['*'], permissions: ['events:read'] }),
    /api_keys_permissions_check/,
    'the old schema refuses the new names',
  );

  assert.deepEqual(await migrateLatest(knex), ['0010_api_key_admin_permissions']);
  const reader = await createApiKey(knex, { app_ids: ['*'], permissions: ['events:read', 'config:write', 'replay', 'keys:manage'] });
  assert.deepEqual((await findApiKeyBySecret(knex, old.secret))?.permissions, ['report', 'admin'], 'existing keys keep what they had');
  await assert.rejects(knex('api_keys').insert({ id: 'x', key_hash: Buffer.alloc(32), permissions: ['root'] }), /api_keys_permissions_check/);

  await knex.migrate.down({ migrationSource, name: '0010_api_key_admin_permissions' });
  assert.deepEqual(((await knex('api_keys').pluck('id')) as string[]).sort(), [old.key.id], `key ${reader.key.id} with new permissions is removed`);
});

test('0012: existing producers are not anonymous; per-app counts of timers and open transactions; rollback drops the column', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  await knex.migrate.down({ migrationSource, name: '0012_ingest_quotas' });
  await knex('producers').insert({ app_id: 'shop', topic_id: 'order', qps: 5 });
  assert.deepEqual(await migrateLatest(knex), ['0012_ingest_quotas']);
  assert.equal((await getProducer(knex, 'shop', 'order'))?.anonymous, false, 'upgrading opens nothing');
  await upsertProducer(knex, { app_id: 'kiosk', topic_id: 'ping', anonymous: true });
  assert.deepEqual(await listProducerIngestSettings(knex), [
    { app_id: 'kiosk', topic_id: 'ping', qps: 0, anonymous: true },
    { app_id: 'shop', topic_id: 'order', qps: 5, anonymous: false },
  ]);

  const timer = (id: string, headers: Record<string, string>) => ({
    id,
    kind: 'delay',
    due_at: new Date(),
    target_topic: 'eventyard.ingest',
    message_key: null,
    value: Buffer.from('x'),
    headers,
  });
  await insertTimers(knex, [timer('a', { 'ey-app-id': 'shop' }), timer('b', { 'ey-app-id': 'shop' }), timer('c', { 'ey-app-id': 'blog' }), timer('d', {})]);
  assert.equal(await countPendingTimersForApp(knex, 'shop'), 2);
  assert.equal(await countPendingTimersForApp(knex, 'nobody'), 0);
  const indexes = (await knex('pg_indexes')
    .whereIn('indexname', ['schedules_app_id', 'transactions_open_app'])
    .orderBy('indexname')
    .pluck('indexname')) as string[];
  assert.deepEqual(indexes, ['schedules_app_id', 'transactions_open_app']);
  assert.equal(await countOpenTransactionsForApp(knex, 'shop'), 0);

  await knex.migrate.down({ migrationSource, name: '0012_ingest_quotas' });
  const columns = (await knex('information_schema.columns').where({ table_name: 'producers', column_name: 'anonymous' }).pluck('column_name')) as string[];
  assert.deepEqual(columns, []);
});

test('0014: plaintext secrets stay readable; rollback clears sealed values the older code would send as secrets', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  await knex.migrate.down({ migrationSource, name: '0014_processor_secrets' });
  const row = { app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend', addr: 'https://example.test/hook' };
  await knex('processors').insert({ ...row, dispatcher_id: 'old', webhook_secret: 'legacy-secret', auth_token: 'legacy-token' });
  assert.deepEqual(await migrateLatest(knex), ['0014_processor_secrets']);
  const old = await getProcessor(knex, 'old');
  assert.deepEqual([old?.webhook_secret, old?.auth_token, old?.webhook_secret_previous], ['legacy-secret', 'legacy-token', null]);
  await assert.rejects(knex('processors').where({ dispatcher_id: 'old' }).update({ webhook_secret_previous: 'x' }), /processors_previous_secret_expiry/);
  await knex('processors').insert({
    ...row,
    dispatcher_id: 'sealed',
    webhook_secret: 'eyenc:v1:0011223344556677:AAAA',
    auth_token: 'eyenc:v1:0011223344556677:BBBB',
  });

  await knex.migrate.down({ migrationSource, name: '0014_processor_secrets' });
  const rows = (await knex('processors').orderBy('dispatcher_id').select('dispatcher_id', 'webhook_secret', 'auth_token')) as unknown[];
  assert.deepEqual(rows, [
    { dispatcher_id: 'old', webhook_secret: 'legacy-secret', auth_token: 'legacy-token' },
    { dispatcher_id: 'sealed', webhook_secret: null, auth_token: null },
  ]);
});

test('0018: deliveries loses the unused deliveries_due index; rollback brings it back', async (t) => {
  const { knex } = await createDatabase(t, { migrate: false });
  await migrateLatest(knex);
  const indexes = async () => ((await knex('pg_indexes').where({ tablename: 'deliveries' }).pluck('indexname')) as string[]).sort();
  assert.equal((await indexes()).includes('deliveries_due'), false);
  assert.equal((await indexes()).length, 10);
  await knex.migrate.down({ migrationSource, name: '0018_deliveries_unused_due_index' });
  assert.equal((await indexes()).includes('deliveries_due'), true);
});
