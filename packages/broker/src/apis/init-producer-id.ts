// InitProducerId (v0-1): a fresh producer id for idempotent producers. Transactions are not
// implemented (and not advertised), so a transactional id is refused rather than half supported.
import { ErrorCode } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

export const handleInitProducerId: ApiHandler<22> = async (deps, body) => {
  if (body.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 };
  }
  try {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await deps.logs.allocateProducerId(), producerEpoch: 0 };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeOf(err, deps.logger, {}), producerId: -1n, producerEpoch: -1 };
  }
};
