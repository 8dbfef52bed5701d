/**
 * Per-processor delivery limits: a concurrency limiter (async semaphore with a bounded FIFO queue)
 * and a token-bucket rate limiter for `flow_control_strategy.qps`. Both take an injectable clock,
 * can be resized live when the processor config changes, and reject waiters with a coded,
 * retriable error (EY_LIMITER_CLOSED) on close().
 *
 * @example
 * const { qps } = flowControlOf(processorConfig);
 * const slots = new ConcurrencyLimiter({ limit: 16, maxQueue: 1000, name: `processor ${id}` });
 * const rate = new RateLimiter({ qps, name: `processor ${id}` });
 * const release = await slots.acquire();
 * try {
 *   await rate.take();
 *   await deliver(task);
 * } finally {
 *   release();
 * }
 * // shutdown or processor removed:
 * slots.close('processor removed'); rate.close('processor removed');
 */
export { ConcurrencyLimiter } from './concurrency-limiter.ts';
export type { Release } from './concurrency-limiter.ts';
export { RateLimiter } from './rate-limiter.ts';
export { flowControlOf } from './flow-control.ts';
