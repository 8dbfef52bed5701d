// One pino root per process, JSON to stdout, child loggers per component. Secrets are redacted once
// here so no call site has to remember: authorization headers, passwords, tokens, API keys, DSNs, webhook
// secrets, TLS keys. pino's `redact` paths reach one wildcard level only, so every logged object (the
// call's fields, a child's bindings, a serialised error) also goes through redactSecrets, which finds
// them at any depth (redact.ts; scripts/redact-bench.ts measures what it costs).
import { pino, type Logger, type DestinationStream } from 'pino';
import { redactSecrets, redactSerializedError } from './redact.ts';
import { mergeTraceLogFields, traceLogMixin } from './telemetry/log-trace.ts';

export type { Logger } from 'pino';

/**
 * pino's own redaction, for the usual shapes at the top two levels. It is not the whole list: every key
 * redact.ts names (at any depth, in any case or spelling) is redacted as well.
 */
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
  'auth_token',
  'webhook_secret',
  '*.auth_token',
  '*.webhook_secret',
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
      serializers: { err: (err: Error) => redactSerializedError(pino.stdSerializers.err(err)) },
      formatters: { log: (object) => redactSecrets(object), bindings: (bindings) => redactSecrets(bindings) },
      timestamp: pino.stdTimeFunctions.isoTime,
      // trace_id/span_id of the current span on every line once the SDK is loaded (telemetry/log-trace.ts).
      mixin: traceLogMixin,
      mixinMergeStrategy: mergeTraceLogFields,
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
