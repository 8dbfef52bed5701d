// `eventyard migrate latest|rollback`: applies or rolls back the schema on EY_DATABASE_URL.
import type { Command } from 'commander';
import { loadCoreConfig, ConfigError, CoreErrors } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply (latest) or roll back all (rollback) database migrations on EY_DATABASE_URL')
    .argument('<direction>', 'latest or rollback')
    .action(async (direction: string) => {
      if (direction !== 'latest' && direction !== 'rollback') {
        throw new ConfigError(CliErrors.EY_CLI_USAGE, `migrate: direction must be "latest" or "rollback", got "${direction}"`);
      }
      const config = loadCoreConfig(process.env);
      if (config.databaseUrl === undefined) throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'config: EY_DATABASE_URL: required');
      // Loaded only for this command: the rest of the CLI (the dev supervisor too) runs without knex and pg.
      const { createKnex, migrateLatest, migrateRollbackAll } = await import('@eventyard/db');
      const knex = createKnex(config.databaseUrl);
      try {
        if (direction === 'latest') await migrateLatest(knex);
        else await migrateRollbackAll(knex);
        process.stdout.write(`migrate ${direction}: done\n`);
      } finally {
        await knex.destroy();
      }
    });
}
