// OffsetCommit (v0-5): per-partition checks (known partition, metadata size) here, then the group
// coordinator's member/generation checks, whose verdict applies to every remaining partition.
import { ErrorCode, type OffsetCommitResponsePartition } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

/** Kafka's offset.metadata.max.bytes default. */
const MAX_METADATA_CHARS = 4096;

export const handleOffsetCommit: ApiHandler<8> = async (deps, body) => {
  const results = new Map<string, OffsetCommitResponsePartition[]>();
  const accepted: Array<{ topic: string; partition: number; offset: bigint; metadata: string | null }> = [];
  const acceptedRows: OffsetCommitResponsePartition[] = [];
  for (const topic of body.topics) {
    const list = results.get(topic.name) ?? [];
    results.set(topic.name, list);
    for (const p of topic.partitions) {
      let errorCode: number = ErrorCode.NONE;
      if (deps.logs.partition(topic.name, p.partitionIndex) === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (p.committedMetadata !== null && p.committedMetadata.length > MAX_METADATA_CHARS) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      const row = { partitionIndex: p.partitionIndex, errorCode };
      if (errorCode === ErrorCode.NONE) {
        // Kafka stores a null metadata as OffsetAndMetadata.NoMetadata (""), which OffsetFetch then returns.
        accepted.push({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata ?? '' });
        acceptedRows.push(row);
      }
      list.push(row);
    }
  }
  if (accepted.length > 0) {
    let errorCode: number;
    try {
      errorCode = await deps.coordinator.commitOffsets({
        groupId: body.groupId,
        generationId: body.generationIdOrMemberEpoch ?? -1,
        memberId: body.memberId ?? '',
        entries: accepted,
      });
    } catch (err) {
      errorCode = errorCodeOf(err, deps.logger, { groupId: body.groupId });
    }
    for (const row of acceptedRows) row.errorCode = errorCode;
  }
  return { throttleTimeMs: 0, topics: [...results].map(([name, partitions]) => ({ name, partitions })) };
};
