// The start gate of one delivery (delivery-runner.ts): the consumer cancels it when the record's
// partition may move to another dispatcher, and the delivery asks it just before its first send. Both
// run on the one event loop, so a delivery is either cancelled (it sends nothing) or started (it
// finishes), never both.
import type { StartGate } from '../delivery/delivery-runner.ts';

export class CancellableStart implements StartGate {
  readonly #cancel = new AbortController();
  #started = false;

  get signal(): AbortSignal {
    return this.#cancel.signal;
  }

  start(): boolean {
    if (this.#cancel.signal.aborted) return false;
    this.#started = true;
    return true;
  }

  /** Cancels the delivery unless it started; true when it was cancelled now. */
  cancel(): boolean {
    if (this.#started || this.#cancel.signal.aborted) return false;
    this.#cancel.abort();
    return true;
  }
}
