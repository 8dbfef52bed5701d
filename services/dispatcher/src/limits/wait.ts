// Queues one caller on a limiter's waiter list until the limiter grants it, or until its AbortSignal
// fires or its timeout (on the limiter's clock) passes, whichever comes first.
import { TimeoutError } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';
import { onAbort } from './abort-hooks.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { WaiterList } from './waiter-list.ts';

/** How long a caller is willing to wait. */
export interface WaitOptions {
  /** Stops waiting with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Stops waiting with a TimeoutError (EY_LIMITER_TIMEOUT) after this many ms. */
  readonly timeoutMs?: number;
}

export interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** Enqueues a waiter; `onLeave` runs when it leaves early (abort or timeout), not when granted. */
export function enqueue<T>(list: WaiterList<Waiter<T>>, clock: Clock, what: string, options: WaitOptions, onLeave: () => void): Promise<T> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let unhook: (() => void) | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      unhook?.();
    };
    const leave = (err: Error): void => {
      list.remove(node);
      cleanup();
      onLeave();
      reject(err);
    };
    const node = list.push({
      resolve: (value) => {
        cleanup();
        resolve(value);
      },
      reject: (err) => {
        cleanup();
        reject(err);
      },
    });
    if (timeoutMs !== undefined) {
      timer = clock.setTimeout(() => leave(new TimeoutError(DispatcherErrors.EY_LIMITER_TIMEOUT, `${what}: waited ${timeoutMs} ms`)), timeoutMs);
    }
    if (signal !== undefined) unhook = onAbort(signal, () => leave(signal.reason as Error));
  });
}
