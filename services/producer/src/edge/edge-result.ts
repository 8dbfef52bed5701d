// The one translation of Report errors for the outside world (STYLE.md: translate only at the edges):
// EvHub's `ret {code, msg}` for everything a caller can act on, as EvHub answers them (gRPC OK / HTTP
// 200 with `ret.code != 0`), and a transport-level status only where EvHub had none to offer:
// authentication, and a Report that cannot be taken right now but will be on a retry (a producer not
// accepting Reports, an idempotency key still being published by another Report): UNAVAILABLE is the
// gRPC status clients and retry policies treat as "try the same call again".
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ResultCode, type EventyardError } from '@eventyard/core';
import { PERMISSION_DENIED, UNAUTHENTICATED } from '../auth/api-key-auth.ts';
import { IDEMPOTENCY_IN_PROGRESS } from '../report/idempotency.ts';
import { PRODUCER_UNAVAILABLE } from '../report/report-service.ts';

export interface EdgeResult {
  ret: { code: number; msg: string };
  /** When set, a gRPC call fails with this status instead of answering `ret`. */
  grpcStatus: GrpcStatus | null;
  httpStatus: number;
}

const TRANSPORT_STATUS: Record<string, { grpc: GrpcStatus; http: number }> = {
  [UNAUTHENTICATED]: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401 },
  [PERMISSION_DENIED]: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403 },
  [PRODUCER_UNAVAILABLE]: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
  [IDEMPOTENCY_IN_PROGRESS]: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
};

export function toEdgeResult(error: EventyardError | null): EdgeResult {
  if (error === null) return { ret: { code: ResultCode.OK, msg: '' }, grpcStatus: null, httpStatus: 200 };
  const transport = TRANSPORT_STATUS[error.code];
  return {
    ret: { code: error.resultCode, msg: error.message },
    grpcStatus: transport?.grpc ?? null,
    httpStatus: transport?.http ?? 200,
  };
}
