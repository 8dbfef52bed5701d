// Time as the limiters see it, injectable so tests drive it by hand instead of sleeping.

/** Opaque timer handle returned by Clock.setTimeout; never undefined, which stands for "no timer". */
export type TimerHandle = NonNullable<unknown>;

export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: performance.now() and Node's timers. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number): TimerHandle => setTimeout(callback, ms),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
