// The start-up and shutdown sequence every service's main.ts runs: parse config (one line per bad
// variable, exit 1), make the root logger, build the app, start it, and on SIGTERM/SIGINT close it
// within a deadline (a second signal forces exit 1). Services implement createApp; this is the rest.
import { isEventyardError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { Shutdown, installSignalHandlers } from './shutdown.ts';
import { startTelemetry } from './telemetry/start-telemetry.ts';

export type ComponentState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

/** What a service's createApp returns: idempotent start and close. */
export interface App {
  start(): Promise<void>;
  /** Stop intake, drain in-flight work, commit, close producers and pools: one ordered sequence. */
  close(): Promise<void>;
}

export interface RunServiceOptions<C> {
  name: string;
  /** Parses the environment; throws ConfigError. */
  loadConfig: (env: NodeJS.ProcessEnv) => C;
  logLevel: (config: C) => string;
  createApp: (config: C, deps: { logger: Logger }) => App | Promise<App>;
  /** @default 30000 */
  shutdownDeadlineMs?: number;
}

/** For main.ts only: owns process.env, signals and process.exit. */
export async function runService<C>(options: RunServiceOptions<C>): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${isEventyardError(err) ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createLogger({ name: options.name, level: options.logLevel(config) });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  routeProcessWarnings(logger);
  const shutdown = new Shutdown({ logger, deadlineMs: options.shutdownDeadlineMs ?? 30_000, exit: (code) => process.exit(code) });
  installSignalHandlers(shutdown);
  try {
    // Before the app is built, so the spans of its start-up and the instrumentations' patches apply.
    const telemetry = await startTelemetry({ service: options.name, env: process.env });
    if (telemetry.enabled) logger.info('OpenTelemetry trace export on (OTEL_* variables)');
    const app = await options.createApp(config, { logger });
    shutdown.add('close app', () => app.close());
    // Last: the spans of the drain are exported too.
    shutdown.add('flush traces', () => telemetry.shutdown());
    await app.start();
    logger.info('started');
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    process.exit(1);
  }
}

/**
 * Process warnings go to the service's JSON log instead of Node's default stderr printer (which
 * `removeAllListeners` takes away), so one log stream carries everything. (kafkajs's negative-delay
 * timers, once a TimeoutNegativeWarning on every start, are gone with patches/kafkajs@2.2.4.patch.)
 */
export function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn({ err: warning }, 'process warning');
  });
}
