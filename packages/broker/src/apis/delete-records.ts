// DeleteRecords (v0-1): moves each partition's log start forward; offset -1 means "up to the high watermark".
import { ErrorCode, type DeleteRecordsResponsePartitionResult } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

export const handleDeleteRecords: ApiHandler<21> = async (deps, body) => ({
  throttleTimeMs: 0,
  topics: await Promise.all(
    body.topics.map(async (topic) => ({
      name: topic.name,
      partitions: await Promise.all(
        topic.partitions.map(async (p): Promise<DeleteRecordsResponsePartitionResult> => {
          const log = deps.logs.partition(topic.name, p.partitionIndex);
          if (log === undefined) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          try {
            const offset = p.offset === -1n ? log.highWatermark : p.offset;
            return { partitionIndex: p.partitionIndex, lowWatermark: await log.deleteRecordsBefore(offset), errorCode: ErrorCode.NONE };
          } catch (err) {
            return {
              partitionIndex: p.partitionIndex,
              lowWatermark: -1n,
              errorCode: errorCodeOf(err, deps.logger, { topic: topic.name, partition: p.partitionIndex }),
            };
          }
        }),
      ),
    })),
  ),
});
