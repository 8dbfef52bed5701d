// A timer that runs only when there is something for it: the first arm() starts one wait, at its end
// `run` runs, and while `pending()` then still says work is left (a commit that failed, or work that
// came in meanwhile) it arms itself again. Nothing wakes a process while nothing happens, which a
// setInterval per consumer did (a dispatcher runs one consumer per processor). The router's and the
// dispatcher's offset commits use it.
export class OnDemandTimer {
  readonly #ms: number;
  readonly #run: () => Promise<unknown>;
  readonly #pending: () => boolean;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `run` must not reject. */
  constructor(ms: number, run: () => Promise<unknown>, pending: () => boolean) {
    this.#ms = ms;
    this.#run = run;
    this.#pending = pending;
  }

  /** Runs `run` within `ms`, unless a wait is already under way (or the timer was stopped). */
  arm(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run().then(() => {
        if (this.#pending()) this.arm();
      });
    }, this.#ms);
    this.#timer.unref();
  }

  /** Cancels the wait under way; later arm() calls do nothing. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
