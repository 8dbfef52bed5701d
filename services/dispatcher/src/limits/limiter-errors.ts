// Coded errors of the limiters. Both are retriable: the delivery was not attempted, so it may run
// later (after a restart, or once the queue drains).
import { EventyardError } from '@eventyard/core';

export const LimiterErrorCode = {
  /** The limiter was closed (shutdown, processor removed) while or before waiting. */
  closed: 'EY_LIMITER_CLOSED',
  /** The bounded wait queue is full. */
  queueFull: 'EY_LIMITER_QUEUE_FULL',
} as const;

export function limiterClosed(what: string, reason?: string): EventyardError {
  return new EventyardError('delivery', LimiterErrorCode.closed, `${what} closed${reason === undefined ? '' : `: ${reason}`}`, { retriable: true });
}

export function limiterQueueFull(what: string, maxQueue: number): EventyardError {
  return new EventyardError('delivery', LimiterErrorCode.queueFull, `${what} queue full (${maxQueue} waiting)`, {
    retriable: true,
    context: { maxQueue },
  });
}
