/**
 * Eventyard's PostgreSQL layer: embedded server, connection and migrations, config repositories,
 * node-id leases, config-change notifications, API keys and history retention.
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: '.eventyard/postgres', logger });   // or DATABASE_URL
 * const knex = createKnex(pg.url);
 * await migrateLatest(knex);
 * const lease = await startNodeIdLease(knex, { owner: 'producer-1', ttlMs: 30_000, onLost: () => shutdown() });
 * const ids = new IdGenerator({ nodeId: lease.nodeId });
 * await upsertProcessor(knex, { dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: 'billing:9001' });
 * const listener = listenConfigChanges(pg.url, (change) => reload(change));
 */
export { findFreePort } from './free-port.ts';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type EmbeddedPostgresHandle } from './embedded-postgres.ts';
export { createKnex, migrateLatest, migrateRollbackAll, migrationStatus, type CreateKnexOptions, type Knex } from './connection.ts';
export { migrationSource } from './migrations/index.ts';
export * from './processors.ts';
export * from './processor-health.ts';
export * from './secret-rotation.ts';
export { secretKeyringOf, useSecretKeyring } from './secret-columns.ts';
export * from './producers.ts';
export * from './sources.ts';
export * from './error-codes.ts';
export * from './node-id-leases.ts';
export * from './config-changes.ts';
export * from './api-keys.ts';
export * from './api-key-cache.ts';
export * from './retention.ts';
export * from './history.ts';
export * from './text-safety.ts';
export * from './history-queries.ts';
export * from './history-status.ts';
export * from './schedules.ts';
export * from './transactions.ts';
export * from './idempotency-keys.ts';
export * from './repeat-chains.ts';
export * from './table-watcher.ts';
export * from './replay-jobs.ts';
export * from './attempt-timeline.ts';
export * from './data-errors.ts';
