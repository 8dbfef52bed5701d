// The single place where errors thrown below the API layer become Kafka error codes: the log's
// KafkaError carries its own code; anything else is a bug, logged and answered UNKNOWN_SERVER_ERROR.
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/index.ts';

/** Reads the Kafka error code of a KafkaError (duck-typed: the log package defines the class). */
export function kafkaErrorCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && typeof (err as { errorCode?: unknown }).errorCode === 'number') {
    return (err as { errorCode: number }).errorCode;
  }
  return undefined;
}

export function errorCodeOf(err: unknown, logger: Logger | undefined, context: Record<string, unknown>): number {
  const code = kafkaErrorCode(err);
  if (code !== undefined) return code;
  logger?.error({ err, ...context }, 'unexpected error in request handler');
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

export function errorMessageOf(err: unknown): string | null {
  return err instanceof Error ? err.message : null;
}
