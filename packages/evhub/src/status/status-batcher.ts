// Gathers status changes for `eventyard.status` off the caller's path: changes added within `lingerMs` of
// each other go out in one produce request through the StatusPublisher, and nobody waits for it but
// `flush()`. The dispatcher adds each attempt batch's changes once its history rows are committed, and
// flushes before it commits offsets, so a change is acknowledged (or its failure logged and counted, as
// StatusPublisher does) before the record it describes can be skipped by a restart: at least once, as
// when every attempt waited for its own send. What it saves is a produce request and an acknowledgement
// per attempt batch at low rates (at 100 events/s, one of the ~5 Kafka requests each event costs), and
// the send's round trip on the delivery's path.
import type { ManagedProducer } from '@eventyard/core';
import type { StatusChange } from './status-change.ts';
import type { StatusPublisher } from './status-publisher.ts';

export interface StatusBatcherOptions {
  publisher: StatusPublisher;
  producer: Pick<ManagedProducer, 'send'>;
  /** How long the first change waits for company; 0 sends every add at once (still off the caller's path). */
  lingerMs: number;
  /** Changes that are sent at once without waiting for the linger. @default 500 */
  maxChanges?: number;
}

export class StatusBatcher {
  readonly #publisher: StatusPublisher;
  readonly #producer: Pick<ManagedProducer, 'send'>;
  readonly #lingerMs: number;
  readonly #maxChanges: number;
  #queued: StatusChange[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Sends not settled yet (StatusPublisher.publish never rejects). */
  readonly #sending = new Set<Promise<boolean>>();

  constructor(options: StatusBatcherOptions) {
    this.#publisher = options.publisher;
    this.#producer = options.producer;
    this.#lingerMs = options.lingerMs;
    this.#maxChanges = options.maxChanges ?? 500;
  }

  /** Queues the changes, in order after those queued before; returns at once. */
  add(changes: readonly StatusChange[]): void {
    if (changes.length === 0) return;
    this.#queued.push(...changes);
    if (this.#lingerMs <= 0 || this.#queued.length >= this.#maxChanges) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), this.#lingerMs);
  }

  /** Sends what is queued now; resolves once every change added before the call is acknowledged or failed. Never rejects. */
  async flush(): Promise<void> {
    this.#send();
    await Promise.all(this.#sending);
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queued.length === 0) return;
    const changes = this.#queued;
    this.#queued = [];
    // ManagedProducer sends in call order (a send made while one is in flight leaves after it).
    const sending = this.#publisher.publish(this.#producer, changes).finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
  }
}
