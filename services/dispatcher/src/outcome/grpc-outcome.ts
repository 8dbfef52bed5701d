// Classifies a gRPC `Dispatch` attempt. EvHub's rule is kept: a dispatch fails on a transport error,
// a timeout, any non-OK gRPC status, or `ret.code != 0`, and every such failure is retried. That
// includes UNIMPLEMENTED and INVALID_ARGUMENT: a consumer mid-deploy often answers them briefly, and
// a misconfigured one ends `dead` after its attempts, from where it can be redriven once fixed.
// Only 30000 (cancel) stops retries, and errors the dispatcher raises itself keep their own flag.
import { GRPC_STATUS_NAMES, isEventyardError } from '@eventyard/core';
import { OutcomeErrorCode, type AttemptOutcome } from './attempt-outcome.ts';
import { classifyResult, type DispatchRspLike } from './dispatch-rsp.ts';
import { utf8Excerpt } from './excerpt.ts';

const DEADLINE_EXCEEDED = 4;

/** Classifies a `DispatchRsp` received with gRPC status OK. */
export function classifyGrpcResponse(rsp: DispatchRspLike | null | undefined): AttemptOutcome {
  return classifyResult(rsp ?? {});
}

/**
 * Classifies a failed gRPC call: a grpc-js ServiceError (`code`, `details`), or any other thrown
 * value (transport). Always a retriable failure, except an EventyardError that says otherwise.
 */
export function classifyGrpcError(err: unknown): AttemptOutcome {
  if (isEventyardError(err)) {
    return { outcome: 'failure', retriable: err.retriable, errorCode: err.code, errorMessage: utf8Excerpt(err.message) };
  }
  const fields = typeof err === 'object' && err !== null ? (err as { code?: unknown; details?: unknown; message?: unknown }) : {};
  const message = messageOf(fields.details, fields.message, err);
  const status = fields.code;
  if (typeof status === 'number' && Number.isInteger(status) && status > 0 && status < GRPC_STATUS_NAMES.length) {
    const errorCode = status === DEADLINE_EXCEEDED ? OutcomeErrorCode.timeout : `grpc:${GRPC_STATUS_NAMES[status] as string}`;
    return { outcome: 'failure', retriable: true, errorCode, errorMessage: message };
  }
  const errno = typeof status === 'string' && status.length > 0 ? `${OutcomeErrorCode.transport}:${status}` : OutcomeErrorCode.transport;
  return { outcome: 'failure', retriable: true, errorCode: errno, errorMessage: message };
}

function messageOf(details: unknown, message: unknown, err: unknown): string {
  if (typeof details === 'string' && details.length > 0) return utf8Excerpt(details);
  if (typeof message === 'string' && message.length > 0) return utf8Excerpt(message);
  return utf8Excerpt(String(err));
}
