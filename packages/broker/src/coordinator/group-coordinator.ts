// The classic group coordinator, following Kafka's GroupCoordinator: JoinGroup's barrier and
// MEMBER_ID_REQUIRED flow, SyncGroup, heartbeats and session expiry, LeaveGroup, describe/list/delete and
// the generation checks on offset commits. Pure logic over an injected Scheduler and offset store, so it
// runs the same under a manual clock in tests; the apis/ handlers translate wire bodies to these calls.
// This class is the public face; each concern is a module of functions over the shared context:
// join-sync.ts (JoinGroup, SyncGroup), rebalance.ts (the state machine and session expiry),
// liveness.ts (Heartbeat, LeaveGroup), offsets.ts (OffsetCommit/Fetch), admin.ts (describe/list/delete).
import { ErrorCode } from '../kafka-errors.ts';
import { deleteGroups, describeGroup, killGroup, listGroups } from './admin.ts';
import {
  joinError,
  syncError,
  type CoordinatorContext,
  type DescribedGroup,
  type GroupCoordinatorOptions,
  type JoinGroupParams,
  type OffsetCommitParams,
  type SyncGroupParams,
} from './coordinator-context.ts';
import type { GroupState, JoinGroupResult, SyncGroupResult } from './group.ts';
import { joinGroup, syncGroup } from './join-sync.ts';
import { heartbeat, leaveGroup } from './liveness.ts';
import { commitOffsets, fetchOffsets } from './offsets.ts';
import { systemScheduler } from './scheduler.ts';

export type { DescribedGroup, GroupCoordinatorOptions, JoinGroupParams, OffsetCommitParams, SyncGroupParams } from './coordinator-context.ts';

export class GroupCoordinator {
  readonly #ctx: CoordinatorContext;

  constructor(options: GroupCoordinatorOptions) {
    this.#ctx = {
      groups: new Map(),
      offsets: options.offsets,
      scheduler: options.scheduler ?? systemScheduler,
      initialDelayMs: options.initialRebalanceDelayMs ?? 0,
      minSessionMs: options.minSessionTimeoutMs ?? 6000,
      maxSessionMs: options.maxSessionTimeoutMs ?? 1_800_000,
      newMemberJoinTimeoutMs: options.newMemberJoinTimeoutMs ?? 300_000,
      log: options.logger,
      closed: false,
    };
  }

  /** Resolves when the join barrier falls (or at once with an error, or MEMBER_ID_REQUIRED). */
  joinGroup(params: JoinGroupParams): Promise<JoinGroupResult> {
    return joinGroup(this.#ctx, params);
  }

  /** Followers wait for the leader's assignment; the leader's SyncGroup makes the group Stable. */
  syncGroup(params: SyncGroupParams): Promise<SyncGroupResult> {
    return syncGroup(this.#ctx, params);
  }

  /** Renews the member's session; the error code to answer. */
  heartbeat(params: { groupId: string; memberId: string; generationId: number }): number {
    return heartbeat(this.#ctx, params);
  }

  leaveGroup(
    groupId: string,
    leaving: Array<{ memberId: string; groupInstanceId: string | null }>,
  ): {
    errorCode: number;
    members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
  } {
    return leaveGroup(this.#ctx, groupId, leaving);
  }

  describeGroup(groupId: string): DescribedGroup {
    return describeGroup(this.#ctx, groupId);
  }

  listGroups(): Array<{ groupId: string; protocolType: string; groupState: string }> {
    return listGroups(this.#ctx);
  }

  deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    return deleteGroups(this.#ctx, groupIds);
  }

  /** Validates the committer as Kafka does, then stores the offsets durably; returns the error for every partition. */
  commitOffsets(params: OffsetCommitParams): Promise<number> {
    return commitOffsets(this.#ctx, params);
  }

  /** Committed offsets; `topics` null means every partition the group committed. Unknown ones get offset -1, metadata ''. */
  fetchOffsets(
    groupId: string,
    topics: Array<{ topic: string; partitions: number[] }> | null,
  ): Array<{ topic: string; partitions: Array<{ partition: number; offset: bigint; metadata: string | null }> }> {
    return fetchOffsets(this.#ctx, groupId, topics);
  }

  /** Number of groups per state, for the metrics gauge. */
  stateCounts(): Record<GroupState, number> {
    const counts: Record<GroupState, number> = { Empty: 0, PreparingRebalance: 0, CompletingRebalance: 0, Stable: 0, Dead: 0 };
    for (const g of this.#ctx.groups.values()) counts[g.state] += 1;
    return counts;
  }

  /** Cancels every timer and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR, as an unloading Kafka coordinator does. */
  close(): void {
    const ctx = this.#ctx;
    if (ctx.closed) return;
    ctx.closed = true;
    for (const group of ctx.groups.values()) {
      for (const m of group.members.values()) {
        m.completeJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.completeSync(syncError(ErrorCode.NOT_COORDINATOR));
      }
      killGroup(ctx, group);
    }
  }
}
