// OffsetFetch (v1-4): committed offsets of a group, -1 where none; null topics (v2+) means all of them.
import { ErrorCode } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';

export const handleOffsetFetch: ApiHandler<9> = (deps, body) => {
  const wanted = body.topics === null ? null : body.topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes }));
  const found = deps.coordinator.fetchOffsets(body.groupId, wanted);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: found.map((t) => ({
      name: t.topic,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, metadata: p.metadata, errorCode: ErrorCode.NONE })),
    })),
  };
};
