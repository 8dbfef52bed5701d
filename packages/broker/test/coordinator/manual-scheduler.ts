// A Scheduler driven by hand: time moves only when a test calls advance(), so rebalance timeouts and
// session expiry are tested without waiting for real time.
import type { Cancel, Scheduler } from '../../src/coordinator/scheduler.ts';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualScheduler implements Scheduler {
  #now = 1_700_000_000_000;
  #seq = 0;
  #timers: Timer[] = [];

  now(): number {
    return this.#now;
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    const timer: Timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, running every timer that falls due, in order (timers scheduled meanwhile too). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  get pending(): number {
    return this.#timers.length;
  }
}
