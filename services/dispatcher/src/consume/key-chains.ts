// Per-key ordering within a partition: records with the same Kafka key (orderingKey or event_id) run
// one after another in offset order, records with different keys run in parallel. Each key keeps only
// the tail of its chain; a finished tail removes itself, so memory follows the keys in flight.
export class KeyChains {
  readonly #tails = new Map<string, Promise<void>>();

  /** Keys with work queued or running. */
  get size(): number {
    return this.#tails.size;
  }

  /**
   * Runs `work` once every earlier work of `key` has settled (a null key runs at once). The returned
   * promise settles like `work`; a failed work does not stop the ones queued behind it.
   */
  run(key: string | null, work: () => Promise<void>): Promise<void> {
    if (key === null) return work();
    const previous = this.#tails.get(key);
    const result = previous === undefined ? work() : previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
