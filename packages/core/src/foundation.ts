/**
 * The part of core that loads no Kafka, gRPC or metrics library: errors and their codes, config
 * parsing, the logger, the shutdown sequence, times and the secrets keyring. For processes that use
 * nothing else (the `eventyard dev` supervisor, the CLI's admin commands), so they stay small.
 *
 * @example
 * import { createLogger, loadCoreConfig, Shutdown } from '@eventyard/core/foundation';
 */
export * from './errors.ts';
export * from './error-codes.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './shutdown.ts';
export * from './times.ts';
export * from './secrets/secret-keyring.ts';
export * from './secrets/secrets-config.ts';
export * from './grpc-status.ts';
export * from './node-http.ts';
