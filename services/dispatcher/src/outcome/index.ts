/**
 * Classifies one delivery attempt (gRPC `Dispatch` or HTTP webhook) into success, failure or cancel,
 * whether it may be retried, and what to record about it. Pure: no I/O, no clock unless given.
 *
 * @example
 * let outcome: AttemptOutcome;
 * try {
 *   outcome = classifyGrpcResponse(await client.dispatch(req, { deadline }));
 * } catch (err) {
 *   outcome = classifyGrpcError(err);
 * }
 * // HTTP: classifyHttpResponse({ status, headers, body }, { retryOn4xx }) or classifyHttpError(err)
 * const next = nextAttempt(policy, attempt, { cancelled: outcome.outcome === 'cancel', retriable: outcome.retriable, retryAfterMs: outcome.retryAfterMs });
 */
export type { AttemptOutcome } from './attempt-outcome.ts';
export { classifyGrpcError, classifyGrpcResponse } from './grpc-outcome.ts';
export { classifyHttpError, classifyHttpResponse } from './http-outcome.ts';
export { parseRetryAfter } from './retry-after.ts';
export { utf8Excerpt } from './excerpt.ts';
