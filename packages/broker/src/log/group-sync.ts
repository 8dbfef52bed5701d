// Group commit for fsync: writers mark each write, then wait until an fsync started after their write
// has finished. While one fsync runs, later writes pile up and the next fsync covers all of them, so
// concurrent small appends share fsyncs instead of paying one each.

export class GroupSync {
  private written = 0;
  private synced = 0;
  private running: Promise<void> | undefined;
  private readonly syncFn: () => Promise<void>;

  constructor(syncFn: () => Promise<void>) {
    this.syncFn = syncFn;
  }

  /** Call right after a write reached the file; returns the ticket to wait for. */
  markWritten(): number {
    return ++this.written;
  }

  /** An fsync is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  get dirty(): boolean {
    return this.synced < this.written;
  }

  /** Resolves once an fsync covering write `ticket` (default: every write so far) has completed. */
  async waitDurable(ticket = this.written): Promise<void> {
    while (this.synced < ticket) {
      this.running ??= this.runOnce();
      await this.running;
    }
  }

  /** Waits for an fsync in flight, if any (before closing the file it syncs). */
  async idle(): Promise<void> {
    if (this.running !== undefined) await this.running.catch(() => undefined);
  }

  private async runOnce(): Promise<void> {
    const target = this.written;
    try {
      await this.syncFn();
      if (target > this.synced) this.synced = target;
    } finally {
      this.running = undefined;
    }
  }
}
