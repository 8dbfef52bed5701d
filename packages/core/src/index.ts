/**
 * Shared foundations of every Eventyard service.
 *
 * @example
 * const config = loadCoreConfig(process.env);          // throws ConfigError, one line per bad variable
 * const log = createLogger({ name: 'router', level: config.logLevel });
 * const kafka = createKafka(config.kafka, { logger: log, clientIdSuffix: 'router' });
 * const ids = new IdGenerator({ nodeId: lease.nodeId });
 */
export * from './errors.ts';
export * from './error-codes.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './topics.ts';
export * from './kafka.ts';
export { JavaCompatiblePartitioner, partitionForKey } from './java-partitioner.ts';
export * from './produce-chunks.ts';
export * from './managed-producer.ts';
export * from './dead-letter.ts';
export * from './storable-text.ts';
export * from './topic-admin.ts';
export * from './shutdown.ts';
export * from './ids.ts';
export * from './health.ts';
export * from './service.ts';
export * from './lifecycle.ts';
export * from './deadline.ts';
export * from './telemetry/index.ts';
export * from './decayed-rate.ts';
export * from './on-demand-timer.ts';
export * from './poll-backoff.ts';
export * from './crontab.ts';
export * from './times.ts';
export * from './grpc-status.ts';
export * from './egress/egress-guard.ts';
export * from './egress/egress-config.ts';
export * from './egress/grpc-dial.ts';
export * from './tls/tls-files.ts';
export * from './tls/server-tls.ts';
export * from './tls/client-tls.ts';
export * from './secrets/secret-keyring.ts';
export * from './secrets/secrets-config.ts';
