// The refusals of the ingest limits, each naming its limit (the variable or config field and its value)
// so an operator or a client can tell which one was hit. Two kinds:
// - "slow down" (a rate: Report qps, failed key lookups; a count: pending timers, open transactions):
//   gRPC RESOURCE_EXHAUSTED and HTTP 429 at the edge (EvHub had no rate-limit code; RESOURCE_EXHAUSTED is
//   gRPC's status for a quota or rate limit, which retry policies and proxies understand), with the wait
//   in `Retry-After` / `grpc-retry-pushback-ms` when one is known, and `ret.code` 20005 (EvHub's
//   "system error", which its clients retry) for a client that reads only `ret`;
// - "never like this" (repeat and delay bounds): ret.code 10000 like any invalid Report.
import { EventyardError, ValidationError } from '@eventyard/core';
import { ProducerErrors } from '../error-codes.ts';

/** The Report rate of an (app_id, topic_id) is over its producer config's `qps`. */
export const RATE_LIMITED = ProducerErrors.EY_RATE_LIMITED;
/** Too many failed API key lookups from one client address (EY_AUTH_FAILURE_LIMIT). */
export const AUTH_RATE_LIMITED = ProducerErrors.EY_AUTH_RATE_LIMITED;
/** A per-app count is at its limit (EY_MAX_PENDING_TIMERS_PER_APP, EY_MAX_OPEN_TRANSACTIONS_PER_APP). */
export const QUOTA_EXCEEDED = ProducerErrors.EY_QUOTA_EXCEEDED;
/** A Report's trigger is beyond a repeat or delay bound (EY_REPEAT_*, EY_MAX_DELAY_MS). */
export const LIMIT_EXCEEDED = ProducerErrors.EY_LIMIT_EXCEEDED;

/** Which limit: `EY_MAX_DELAY_MS=604800000` or `qps=20 (producer config shop/order)`. */
export interface LimitRef {
  name: string;
  value: number;
}

export function slowDown(
  code: typeof RATE_LIMITED | typeof AUTH_RATE_LIMITED | typeof QUOTA_EXCEEDED,
  message: string,
  limit: LimitRef,
  retryAfterMs?: number,
): EventyardError {
  return new EventyardError(code, message, {
    context: { limit: limit.name, limitValue: limit.value, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  });
}

export function overLimit(field: string, problem: string, limit: LimitRef): ValidationError {
  return new ValidationError(LIMIT_EXCEEDED, `${field}: ${problem}, over the limit of ${limit.name}=${limit.value}`, {
    context: { field, limit: limit.name, limitValue: limit.value },
  });
}

/** The wait a slow-down refusal suggests, ms, when it knows one. */
export function retryAfterMsOf(error: EventyardError): number | undefined {
  const value = error.context.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
