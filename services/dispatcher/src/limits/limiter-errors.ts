// Coded errors of the limiters. Both are retriable: the delivery was not attempted, so it may run
// later (after a restart, or once the queue drains).
import { EventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';

export function limiterClosed(what: string, reason?: string): EventyardError {
  return new EventyardError(DispatcherErrors.EY_LIMITER_CLOSED, `${what} closed${reason === undefined ? '' : `: ${reason}`}`);
}

export function limiterQueueFull(what: string, maxQueue: number): EventyardError {
  return new EventyardError(DispatcherErrors.EY_LIMITER_QUEUE_FULL, `${what} queue full (${maxQueue} waiting)`, { context: { maxQueue } });
}
