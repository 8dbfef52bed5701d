// Steps that must succeed before a record's offset may be committed (recording the attempt, producing
// the retry timer or dead letter) are retried with capped backoff until they do: a Postgres or broker
// outage stalls the partition instead of losing the outcome. Only shutdown stops the retrying, and then
// the record stays uncommitted and is delivered again after the restart. An error the caller's
// `permanent` test marks as one no retry can fix (Postgres refusing the row's values) is rethrown at
// once, for the caller to write something else or account for the loss: retrying it would stall the
// partition forever, and again after every restart.
import { EventyardError, isEventyardError, type Logger } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';
import { onAbort } from '../limits/abort-hooks.ts';

/** Thrown when shutdown interrupts a delivery: its record is left uncommitted, on purpose. */
export function abandoned(): EventyardError {
  return new EventyardError(DispatcherErrors.EY_DISPATCH_ABANDONED, 'delivery abandoned by shutdown; its record will be read again');
}

export function isAbandoned(err: unknown): boolean {
  return isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_ABANDONED.code;
}

export interface PersistOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Logged with each failure. */
  step: string;
  context: Record<string, unknown>;
  /** @default 100 */
  initialDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
  /** Errors for which `run` would fail the same way every time: rethrown instead of retried. @default none */
  permanent?: (err: unknown) => boolean;
}

export async function persist<T>(run: () => Promise<T>, options: PersistOptions): Promise<T> {
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5000;
  for (let failures = 0; ; failures++) {
    if (options.signal.aborted) throw abandoned();
    try {
      return await run();
    } catch (err) {
      if (options.signal.aborted) throw abandoned();
      if (options.permanent?.(err) === true) throw err;
      options.logger[failures === 0 ? 'warn' : 'debug'](
        { err, step: options.step, failures: failures + 1, ...options.context },
        'delivery step failed; retrying',
      );
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

/** Resolves after `ms`, or rejects with `abandoned()` when the signal fires first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abandoned());
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unhook();
      resolve();
    }, ms);
    const unhook = onAbort(signal, () => {
      clearTimeout(timer);
      reject(abandoned());
    });
  });
}
