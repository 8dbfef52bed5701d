// The migrations, listed explicitly: knex's directory loader cannot load .ts files on its own, and an
// explicit list keeps the order and the set under review. Names are stored in knex_migrations: never
// rename one that has shipped.
import type { Knex } from 'knex';
import * as config from './0001_config.ts';
import * as history from './0002_history.ts';
import * as runtime from './0003_runtime.ts';
import * as repeatChains from './0004_repeat_chains.ts';
import * as historyQueryIndexes from './0005_history_query_indexes.ts';
import * as replayJobs from './0006_replay_jobs.ts';
import * as processorIsRetryUnset from './0007_processor_is_retry_unset.ts';
import * as transactionBroadcast from './0008_transaction_broadcast.ts';
import * as idempotencyInProgress from './0009_idempotency_in_progress.ts';
import * as apiKeyAdminPermissions from './0010_api_key_admin_permissions.ts';
import * as eventStatusReason from './0011_event_status_reason.ts';
import * as ingestQuotas from './0012_ingest_quotas.ts';
import * as processorTls from './0013_processor_tls.ts';
import * as processorSecrets from './0014_processor_secrets.ts';
import * as processorHealth from './0015_processor_health.ts';
import * as processorTransform from './0016_processor_transform.ts';
import * as eventTraceId from './0017_event_trace_id.ts';
import * as deliveriesUnusedDueIndex from './0018_deliveries_unused_due_index.ts';
import * as sources from './0019_sources.ts';

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

const migrations: readonly NamedMigration[] = [
  { name: '0001_config', migration: config },
  { name: '0002_history', migration: history },
  { name: '0003_runtime', migration: runtime },
  { name: '0004_repeat_chains', migration: repeatChains },
  { name: '0005_history_query_indexes', migration: historyQueryIndexes },
  { name: '0006_replay_jobs', migration: replayJobs },
  { name: '0007_processor_is_retry_unset', migration: processorIsRetryUnset },
  { name: '0008_transaction_broadcast', migration: transactionBroadcast },
  { name: '0009_idempotency_in_progress', migration: idempotencyInProgress },
  { name: '0010_api_key_admin_permissions', migration: apiKeyAdminPermissions },
  { name: '0011_event_status_reason', migration: eventStatusReason },
  { name: '0012_ingest_quotas', migration: ingestQuotas },
  { name: '0013_processor_tls', migration: processorTls },
  { name: '0014_processor_secrets', migration: processorSecrets },
  { name: '0015_processor_health', migration: processorHealth },
  { name: '0016_processor_transform', migration: processorTransform },
  { name: '0017_event_trace_id', migration: eventTraceId },
  { name: '0018_deliveries_unused_due_index', migration: deliveriesUnusedDueIndex },
  { name: '0019_sources', migration: sources },
];

export const migrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: () => Promise.resolve([...migrations]),
  getMigrationName: (entry) => entry.name,
  getMigration: (entry) => Promise.resolve(entry.migration),
};
