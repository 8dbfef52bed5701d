// Idempotent-producer state of one partition: per producerId the current epoch and the last 5 batches
// (sequence range → offsets), as Kafka keeps it. Appends are checked against it (duplicate, gap, stale
// epoch) and it is rebuilt after a restart from a snapshot plus the batch headers after it.
import { ErrorCode, KafkaError } from '../kafka-errors.ts';
import { isControlBatch, lastOffsetOf, lastSequenceOf, type BatchHeader } from './record-batch.ts';

/** Kafka remembers this many batches per producer for duplicate detection. */
export const PRODUCER_BATCHES_RETAINED = 5;
const INT32_MAX = 0x7fffffff;

interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMeta[];
}

/** The JSON form stored in a partition's producer snapshot. */
export interface ProducerSnapshot {
  producers: Array<[producerId: string, epoch: number, batches: Array<[number, number, string, string]>]>;
}

export class ProducerStateTable {
  private readonly producers = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /**
   * Checks the batches of one append (headers carry the baseOffsets they will be written at) and
   * returns the entries to commit once written; or reports the append as a duplicate of a recent batch.
   * Kafka's rules: a lower epoch is fenced (INVALID_PRODUCER_EPOCH); a new epoch, or a producer never
   * seen here, must start at sequence 0; otherwise the sequence must follow the last one (wrapping at
   * int32 max) or it is OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  check(headers: readonly BatchHeader[]): { staged: Map<bigint, ProducerEntry> } | { duplicateOf: bigint } {
    const staged = new Map<bigint, ProducerEntry>();
    for (const h of headers) {
      if (h.producerId < 0n) continue;
      const known = staged.get(h.producerId) ?? this.producers.get(h.producerId);
      const firstSeq = h.baseSequence;
      const lastSeq = lastSequenceOf(h);
      if (known !== undefined && known.epoch === h.producerEpoch) {
        const dup = known.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
        if (dup !== undefined) return { duplicateOf: dup.firstOffset };
      }
      if (known !== undefined && h.producerEpoch < known.epoch) {
        throw new KafkaError(
          ErrorCode.INVALID_PRODUCER_EPOCH,
          `producer ${h.producerId} epoch ${h.producerEpoch} is older than the current epoch ${known.epoch}`,
        );
      }
      const lastKnownSeq = known !== undefined && known.epoch === h.producerEpoch ? known.batches.at(-1)?.lastSeq : undefined;
      if (lastKnownSeq === undefined) {
        if (firstSeq !== 0) {
          const why = known === undefined ? 'is unknown here' : `started epoch ${h.producerEpoch}`;
          throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${h.producerId} ${why} and must start at sequence 0, got ${firstSeq}`);
        }
      } else if (!(firstSeq === lastKnownSeq + 1 || (firstSeq === 0 && lastKnownSeq === INT32_MAX))) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${h.producerId} sent sequence ${firstSeq}, expected ${lastKnownSeq === INT32_MAX ? 0 : lastKnownSeq + 1}`,
        );
      }
      const entry: ProducerEntry =
        known === undefined || known.epoch !== h.producerEpoch ? { epoch: h.producerEpoch, batches: [] } : { epoch: known.epoch, batches: [...known.batches] };
      pushBatch(entry, { firstSeq, lastSeq, firstOffset: h.baseOffset, lastOffset: lastOffsetOf(h) });
      staged.set(h.producerId, entry);
    }
    return { staged };
  }

  /** Makes the entries of a checked append current (after it was written). */
  commit(staged: Map<bigint, ProducerEntry>): void {
    for (const [pid, entry] of staged) this.producers.set(pid, entry);
  }

  /** Replays a batch already in the log (recovery): no checks, the log is the truth. */
  replay(h: BatchHeader): void {
    if (h.producerId < 0n) return;
    let entry = this.producers.get(h.producerId);
    if (entry === undefined || h.producerEpoch > entry.epoch) {
      entry = { epoch: h.producerEpoch, batches: [] };
      this.producers.set(h.producerId, entry);
    } else if (h.producerEpoch < entry.epoch) {
      return;
    }
    // Control batches (transaction markers) only carry the epoch.
    if (!isControlBatch(h)) pushBatch(entry, { firstSeq: h.baseSequence, lastSeq: lastSequenceOf(h), firstOffset: h.baseOffset, lastOffset: lastOffsetOf(h) });
  }

  toSnapshot(): ProducerSnapshot {
    return {
      producers: [...this.producers].map(([pid, e]) => [
        pid.toString(),
        e.epoch,
        e.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset.toString(), b.lastOffset.toString()]),
      ]),
    };
  }

  static fromSnapshot(snapshot: ProducerSnapshot): ProducerStateTable {
    const table = new ProducerStateTable();
    for (const [pid, epoch, batches] of snapshot.producers) {
      table.producers.set(BigInt(pid), {
        epoch,
        batches: batches.map(([firstSeq, lastSeq, firstOffset, lastOffset]) => ({
          firstSeq,
          lastSeq,
          firstOffset: BigInt(firstOffset),
          lastOffset: BigInt(lastOffset),
        })),
      });
    }
    return table;
  }
}

function pushBatch(entry: ProducerEntry, batch: BatchMeta): void {
  entry.batches.push(batch);
  if (entry.batches.length > PRODUCER_BATCHES_RETAINED) entry.batches.shift();
}
