// The one translation of Report errors for the outside world (STYLE.md: translate only at the edges):
// EvHub's `ret {code, msg}` for everything a caller can act on, as EvHub answers them (gRPC OK / HTTP
// 200 with `ret.code != 0`), and a transport-level status only where EvHub had none to offer:
// authentication, and a Report that cannot be taken right now but will be on a retry (a producer not
// accepting Reports, an idempotency key still being published by another Report): UNAVAILABLE is the
// gRPC status clients and retry policies treat as "try the same call again". Which is which, and every
// status, comes from the error's row in its package's error table (`transport`, `http`, `resultCode`). A
// limit that says "slow down" (qps, failed key lookups, per-app counts: src/quota/refusals.ts) is
// RESOURCE_EXHAUSTED / HTTP 429, with the wait when known: `Retry-After` (whole seconds, rounded up) over
// HTTP, and over gRPC the `grpc-retry-pushback-ms` trailer that gRPC's own retry policy honours.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ResultCode, type EventyardError } from '@eventyard/core';
import { retryAfterMsOf } from '../quota/refusals.ts';

export interface EdgeResult {
  ret: { code: number; msg: string };
  /** When set, a gRPC call fails with this status instead of answering `ret`. */
  grpcStatus: GrpcStatus | null;
  httpStatus: number;
  /** How long the caller should wait before retrying, ms, when a limit knows it. */
  retryAfterMs: number | null;
}

/** The `Retry-After` header value of a wait: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

export function toEdgeResult(error: EventyardError | null): EdgeResult {
  if (error === null) return { ret: { code: ResultCode.OK, msg: '' }, grpcStatus: null, httpStatus: 200, retryAfterMs: null };
  const transport = error.transport;
  return {
    ret: { code: error.resultCode, msg: error.message },
    grpcStatus: transport === undefined ? null : GrpcStatus[transport],
    httpStatus: transport === undefined ? 200 : error.httpStatus,
    retryAfterMs: retryAfterMsOf(error) ?? null,
  };
}
