// Heartbeat and LeaveGroup: a heartbeat renews the member's session (and tells it to rejoin while a
// rebalance is being prepared); leaving removes members at once instead of waiting for their expiry.
import { ErrorCode } from '../kafka-errors.ts';
import type { CoordinatorContext } from './coordinator-context.ts';
import { GroupState, type Group } from './group.ts';
import { removeMemberAndUpdateGroup, scheduleExpiry, tryCompleteJoin } from './rebalance.ts';

export function heartbeat(ctx: CoordinatorContext, params: { groupId: string; memberId: string; generationId: number }): number {
  if (ctx.closed) return ErrorCode.NOT_COORDINATOR;
  const group = ctx.groups.get(params.groupId);
  if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.state === GroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const member = group.members.get(params.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (params.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  switch (group.state) {
    case GroupState.Empty:
      return ErrorCode.UNKNOWN_MEMBER_ID;
    case GroupState.PreparingRebalance:
      scheduleExpiry(ctx, group, member);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    default:
      scheduleExpiry(ctx, group, member);
      return ErrorCode.NONE;
  }
}

export function leaveGroup(
  ctx: CoordinatorContext,
  groupId: string,
  leaving: Array<{ memberId: string; groupInstanceId: string | null }>,
): {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
} {
  if (ctx.closed) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
  const group = ctx.groups.get(groupId);
  if (group === undefined) {
    return { errorCode: ErrorCode.NONE, members: leaving.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
  }
  if (group.state === GroupState.Dead) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const members = leaving.map((m) => {
    if (group.pendingMembers.has(m.memberId)) {
      group.remove(m.memberId);
      if (group.state === GroupState.PreparingRebalance) tryCompleteJoin(ctx, group);
      return { ...m, errorCode: ErrorCode.NONE };
    }
    // Removal by group.instance.id alone (an admin removing a static member).
    const memberId = m.memberId !== '' ? m.memberId : memberIdByInstance(ctx, group, m.groupInstanceId);
    const member = memberId === undefined ? undefined : group.members.get(memberId);
    if (member === undefined) return { ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    ctx.log?.info({ groupId, memberId: member.memberId }, 'member left');
    removeMemberAndUpdateGroup(ctx, group, member);
    return { ...m, errorCode: ErrorCode.NONE };
  });
  return { errorCode: ErrorCode.NONE, members };
}

function memberIdByInstance(ctx: CoordinatorContext, group: Group, groupInstanceId: string | null): string | undefined {
  if (groupInstanceId === null) return undefined;
  for (const m of group.members.values()) if (m.groupInstanceId === groupInstanceId) return m.memberId;
  return undefined;
}
