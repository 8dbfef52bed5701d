// ListOffsets (v0-3): -1 is the latest offset (high watermark, which is also the last stable offset
// without transactions), -2 the earliest (log start), anything else the first offset whose batch has
// a timestamp at or after it. v0 answers with the old offsets array.
import { ErrorCode, type ListOffsetsResponsePartitionResponse } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

const LATEST = -1n;
const EARLIEST = -2n;

export const handleListOffsets: ApiHandler<2> = (deps, body, ctx) => {
  const v0 = ctx.header.apiVersion === 0;
  const answer = (partitionIndex: number, errorCode: number, offset: bigint, timestamp: bigint): ListOffsetsResponsePartitionResponse =>
    v0
      ? { partitionIndex, errorCode, oldStyleOffsets: errorCode === ErrorCode.NONE && offset >= 0n ? [offset] : [] }
      : { partitionIndex, errorCode, timestamp, offset };
  return {
    throttleTimeMs: 0,
    topics: body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const log = deps.logs.partition(topic.name, p.partitionIndex);
        if (log === undefined) return answer(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n, -1n);
        try {
          if (p.timestamp === LATEST) return answer(p.partitionIndex, ErrorCode.NONE, log.highWatermark, -1n);
          if (p.timestamp === EARLIEST) return answer(p.partitionIndex, ErrorCode.NONE, log.logStartOffset, -1n);
          const found = log.offsetForTimestamp(p.timestamp);
          if (found === null) return answer(p.partitionIndex, ErrorCode.NONE, -1n, -1n);
          return answer(p.partitionIndex, ErrorCode.NONE, found.offset, found.timestamp);
        } catch (err) {
          return answer(p.partitionIndex, errorCodeOf(err, deps.logger, { topic: topic.name, partition: p.partitionIndex }), -1n, -1n);
        }
      }),
    })),
  };
};
