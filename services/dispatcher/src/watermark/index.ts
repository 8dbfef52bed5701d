/**
 * Offset watermarks: dispatch a partition's messages in parallel and commit only below the lowest
 * unfinished one, so a slow delivery never blocks the commit of faster ones (nor is lost on a crash).
 *
 * @example
 * const marks = new PartitionWatermarks();
 * // eachBatch: for every message
 * const mark = marks.of(batch.topic, batch.partition);
 * if (!mark.track(BigInt(message.offset), recordFingerprint(message))) continue; // in flight, or finished and fetched again
 * void deliver(message).finally(() => mark.complete(BigInt(message.offset)));
 * // commit loop
 * const due = marks.pendingCommits();
 * if (due.length > 0) { await consumer.commitOffsets([...due]); marks.markCommitted(due); }
 */
export { OffsetWatermark } from './offset-watermark.ts';
export { PartitionWatermarks } from './partition-watermarks.ts';
