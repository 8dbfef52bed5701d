// `node packages/db/src/migrate-cli.ts latest|rollback|status`: applies or rolls back (all the way) the
// schema on DATABASE_URL. Exits 1 with a one-line message on error.
import { createKnex, migrateLatest, migrateRollbackAll, migrationStatus } from './connection.ts';

const USAGE = 'usage: migrate-cli.ts latest|rollback|status (reads DATABASE_URL)';

async function main(): Promise<number> {
  const command = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (command !== 'latest' && command !== 'rollback' && command !== 'status') {
    console.error(USAGE);
    return 2;
  }
  if (url === undefined || url === '') {
    console.error('config: DATABASE_URL: required');
    return 1;
  }
  const knex = createKnex(url, { poolMax: 1, applicationName: 'eventyard-migrate' });
  try {
    if (command === 'latest') {
      const applied = await migrateLatest(knex);
      console.log(applied.length === 0 ? 'migrations: already up to date' : `migrations applied: ${applied.join(', ')}`);
    } else if (command === 'rollback') {
      const rolledBack = await migrateRollbackAll(knex);
      console.log(rolledBack.length === 0 ? 'migrations: nothing to roll back' : `migrations rolled back: ${rolledBack.join(', ')}`);
    } else {
      const status = await migrationStatus(knex);
      console.log(`applied: ${status.applied.join(', ') || '-'}; pending: ${status.pending.join(', ') || '-'}`);
    }
    return 0;
  } catch (err) {
    console.error(`migrate ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await knex.destroy();
  }
}

process.exitCode = await main();
