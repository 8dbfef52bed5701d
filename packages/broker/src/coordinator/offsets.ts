// Committed offsets: OffsetCommit's generation and member checks, as Kafka validates them, before the
// durable store; OffsetFetch answers from the store.
import { ErrorCode } from '../kafka-errors.ts';
import type { CoordinatorContext, OffsetCommitParams } from './coordinator-context.ts';
import { GroupState } from './group.ts';
import { scheduleExpiry } from './rebalance.ts';

/** Validates the committer as Kafka does, then stores the offsets durably; returns the error for every partition. */
export async function commitOffsets(ctx: CoordinatorContext, params: OffsetCommitParams): Promise<number> {
  const error = validateCommit(ctx, params);
  if (error !== ErrorCode.NONE) return error;
  await ctx.offsets.commit(params.groupId, params.entries);
  return ErrorCode.NONE;
}

function validateCommit(ctx: CoordinatorContext, params: OffsetCommitParams): number {
  const { groupId, generationId, memberId } = params;
  if (ctx.closed) return ErrorCode.NOT_COORDINATOR;
  const group = ctx.groups.get(groupId);
  if (group === undefined) {
    // No group management (admin setOffsets, manual assignment): allowed; a generation means a stale member.
    return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  }
  if (group.state === GroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId < 0 && group.state === GroupState.Empty) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '') {
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === GroupState.CompletingRebalance) return ErrorCode.REBALANCE_IN_PROGRESS;
    // A commit proves the member is alive, like a heartbeat.
    scheduleExpiry(ctx, group, member);
    return ErrorCode.NONE;
  }
  // Only members may commit while the group has members.
  return group.state === GroupState.Empty ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}

/** Committed offsets; `topics` null means every partition the group committed. Unknown ones get offset -1, metadata ''. */
export function fetchOffsets(
  ctx: CoordinatorContext,
  groupId: string,
  topics: Array<{ topic: string; partitions: number[] }> | null,
): Array<{ topic: string; partitions: Array<{ partition: number; offset: bigint; metadata: string | null }> }> {
  if (topics === null) {
    const byTopic = new Map<string, Array<{ partition: number; offset: bigint; metadata: string | null }>>();
    for (const e of ctx.offsets.fetchAll(groupId)) {
      let list = byTopic.get(e.topic);
      if (list === undefined) byTopic.set(e.topic, (list = []));
      list.push({ partition: e.partition, offset: e.offset, metadata: e.metadata ?? '' });
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }
  return topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((partition) => {
      const found = ctx.offsets.fetch(groupId, topic, partition);
      // Offsets committed with null metadata before it was stored as '' read back as Kafka's ''.
      return { partition, offset: found?.offset ?? -1n, metadata: found?.metadata ?? '' };
    }),
  }));
}
