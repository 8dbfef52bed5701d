// The classified result of one delivery attempt, the shape the dispatcher records in
// `delivery_attempts` and hands to the retry policy. `errorCode` values are stable and documented:
//   - a number: the consumer's own `ret.code` (30000 = cancel, anything else non-zero = failure);
//   - "timeout": no answer within the processor's timeout (HTTP timeout or gRPC DEADLINE_EXCEEDED);
//   - "grpc:<STATUS>": a non-OK gRPC status, e.g. "grpc:UNAVAILABLE";
//   - "http:<status>": a non-2xx HTTP status, e.g. "http:503";
//   - "transport:<code>" / "transport": the connection failed, e.g. "transport:ECONNREFUSED";
//   - "invalid_ret_code": a `ret.code` that is not an integer;
//   - an EY_* code: the dispatcher refused the attempt itself (e.g. an SSRF guard), with that error's
//     own `retriable` flag.

export type OutcomeKind = 'success' | 'failure' | 'cancel';

export interface AttemptOutcome {
  readonly outcome: OutcomeKind;
  /** Whether another attempt may succeed; always false for success and cancel. */
  readonly retriable: boolean;
  readonly errorCode?: string | number;
  /** At most 1 KiB of UTF-8. */
  readonly errorMessage?: string;
  /** HTTP status code (HTTP deliveries that got a response). */
  readonly responseStatus?: number;
  /** The first 1 KiB of the response body, cut on a UTF-8 character boundary. */
  readonly responseExcerpt?: string;
  /** From the consumer's `Retry-After`, ms from now. */
  readonly retryAfterMs?: number;
  /** The consumer's `pass_back`, to send back in the next attempt's `DispatchReq`. */
  readonly passBack?: Buffer;
}

/** The EvHub `ret.code` a consumer returns to stop retries (and a repeat chain). */
export const CANCEL_CODE = 30000;

export const OutcomeErrorCode = {
  timeout: 'timeout',
  transport: 'transport',
  invalidRetCode: 'invalid_ret_code',
} as const;
