// `eventyard broker`: the embedded Kafka-protocol broker as a process of its own (what `eventyard dev`
// starts, and what a developer runs beside kcat or any Kafka client). Logs JSON to stdout; SIGTERM or
// SIGINT closes it gracefully (in-flight requests finish, logs are flushed and closed).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { FlushPolicy } from '@eventyard/broker';
import { createLogger, field, installSignalHandlers, loadCoreConfig, parseEnv, Shutdown } from '@eventyard/core/foundation';

interface BrokerCommandOptions {
  port: string;
  host: string;
  dataDir: string;
  advertisedHost?: string;
  flush: string;
  flushIntervalMs: string;
  metricsPort?: string;
  partitions: string;
  rebalanceDelayMs: string;
  messageMaxBytes: string;
}

export function registerBrokerCommand(program: Command): void {
  program
    .command('broker')
    .description('run the embedded single-node Kafka-protocol broker')
    .option('--port <port>', 'port to listen on', '9092')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where topics and committed offsets are stored', './data/kafka')
    .option('--advertised-host <host>', 'host clients are told to connect to (default: --host)')
    .option('--flush <policy>', 'always: fsync before every produce is acknowledged; interval: fsync every --flush-interval-ms', 'always')
    .option('--flush-interval-ms <ms>', 'fsync period with --flush interval', '1000')
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://<host>:<port>/metrics')
    .option('--partitions <n>', 'partitions of auto-created topics (num.partitions)', '1')
    .option('--rebalance-delay-ms <ms>', 'group.initial.rebalance.delay.ms', '0')
    .option('--message-max-bytes <bytes>', 'largest record batch a produce may carry (message.max.bytes; topics override it with max.message.bytes)', '1048588')
    .action(async (options: BrokerCommandOptions) => {
      const args = parseEnv(
        {
          '--port': field.port(),
          '--flush': field.oneOf(['always', 'interval']),
          '--flush-interval-ms': field.int(1),
          '--partitions': field.int(1, 100_000),
          '--rebalance-delay-ms': field.int(0),
          '--message-max-bytes': field.int(0, 2 ** 31 - 1),
          '--metrics-port': field.port().optional(),
        },
        {
          '--port': options.port,
          '--flush': options.flush,
          '--flush-interval-ms': options.flushIntervalMs,
          '--partitions': options.partitions,
          '--rebalance-delay-ms': options.rebalanceDelayMs,
          '--message-max-bytes': options.messageMaxBytes,
          '--metrics-port': options.metricsPort,
        },
      );
      const config = loadCoreConfig(process.env);
      const log = createLogger({ name: 'broker', level: config.logLevel });
      const flush: FlushPolicy = args['--flush'] === 'always' ? { mode: 'always' } : { mode: 'interval', intervalMs: args['--flush-interval-ms'] };
      // Loaded here, not at the top: every other command of this CLI (and the dev supervisor) runs without the broker's code.
      const { startBroker } = await import('@eventyard/broker');
      const broker = await startBroker({
        port: args['--port'],
        host: options.host,
        dataDir: resolve(options.dataDir),
        flush,
        defaultPartitions: args['--partitions'],
        groupInitialRebalanceDelayMs: args['--rebalance-delay-ms'],
        messageMaxBytes: args['--message-max-bytes'],
        logger: log,
        ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
        ...(args['--metrics-port'] === undefined ? {} : { metricsPort: args['--metrics-port'] }),
      });
      const shutdown = new Shutdown({ logger: log, exit: (code) => process.exit(code) });
      shutdown.add('close broker', () => broker.close());
      installSignalHandlers(shutdown);
    });
}
