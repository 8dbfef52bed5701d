// Knex instances on PostgreSQL and the migration entry points. bigint columns (event ids) come back as
// decimal strings, exactly the form event ids take everywhere else.
import type { Logger, SecretKeyring } from '@eventyard/core';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';
import { useSecretKeyring } from './secret-columns.ts';

export type { Knex } from 'knex';

export interface CreateKnexOptions {
  /** @default 10 */
  poolMax?: number;
  /** @default 0 */
  poolMin?: number;
  /** Name shown in pg_stat_activity. @default 'eventyard' */
  applicationName?: string;
  /**
   * Where knex's own messages go (pool errors while Postgres is down, deprecations), as JSON lines with
   * `component: knex` instead of bare console lines among a service's logs. @default the console, as knex does
   */
  logger?: Logger;
  /**
   * Seals and opens the secret columns (processor webhook secrets and auth tokens) of this connection.
   * @default no key: secrets are written as plaintext and sealed ones cannot be read
   */
  secrets?: SecretKeyring;
}

export function createKnex(url: string, options: CreateKnexOptions = {}): Knex {
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: options.applicationName ?? 'eventyard' },
    pool: { min: options.poolMin ?? 0, max: options.poolMax ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
    ...(options.logger === undefined ? {} : { log: knexLog(options.logger.child({ component: 'knex' })) }),
  });
  if (options.secrets !== undefined) useSecretKeyring(knex, options.secrets);
  return knex;
}

function knexLog(logger: Logger): Knex.Config['log'] {
  const text = (message: unknown): string => (typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message));
  return {
    warn: (message: unknown) => logger.warn(text(message)),
    error: (message: unknown) => logger.error(text(message)),
    deprecate: (method: string, alternative: string) => logger.warn({ method, alternative }, 'knex deprecation'),
    debug: (message: unknown) => logger.debug(text(message)),
  };
}

const migratorConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migratorConfig)) as [number, string[]];
  return applied;
}

/** Rolls back every applied migration, newest first; returns the names rolled back. */
export async function migrateRollbackAll(knex: Knex): Promise<string[]> {
  const [, rolledBack] = (await knex.migrate.rollback(migratorConfig, true)) as [number, string[]];
  return rolledBack;
}

/** Names of applied and pending migrations. */
export async function migrationStatus(knex: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = (await knex.migrate.list(migratorConfig)) as [Array<{ name: string } | string>, Array<{ name: string } | string>];
  const nameOf = (entry: { name: string } | string): string => (typeof entry === 'string' ? entry : entry.name);
  return { applied: completed.map(nameOf), pending: pending.map(nameOf) };
}
