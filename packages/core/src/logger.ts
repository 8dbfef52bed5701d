// One pino root per process, JSON to stdout, child loggers per component. Secrets are redacted once
// here so no call site has to remember: authorization headers, passwords, tokens, DSNs.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Key paths whose values are replaced by "[redacted]" wherever they appear one or two levels deep. */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'password',
  'secret',
  'token',
  'apiKey',
  'databaseUrl',
  'headers.authorization',
  'headers["webhook-signature"]',
  'metadata.authorization',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.databaseUrl',
  '*.sasl.password',
  'config.kafka.sasl.password',
];

export interface LoggerOptions {
  /** Service or tool name, printed as `service` on every line. */
  name: string;
  /** @default 'info' */
  level?: string;
  /** @default stdout */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.name },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous writes by default: with pino's asynchronous writer, the buffer flushed at process.exit
    // can overtake a write still in flight, so the last lines of a shutdown came out of order (seen under
    // load in the router's shutdown test) or could be lost. Log volume per event is low, so the cost is small.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything: libraries get this when the caller passes none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
