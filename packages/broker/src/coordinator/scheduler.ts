// Time for the group coordinator, injected so its state machine (session expiry, rebalance timeouts,
// the initial rebalance delay) can be driven by a manual clock in unit tests.

/** Cancels a scheduled callback; calling it after the callback ran is a no-op. */
export type Cancel = () => void;

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  schedule(delayMs: number, fn: () => void): Cancel;
}

/** Real time. Timers are unref'd: the broker's listening socket, not a group timer, keeps the process up. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
