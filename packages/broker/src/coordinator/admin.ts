// DescribeGroups, ListGroups and DeleteGroups, including the groups known only by their committed
// offsets, and the removal of a group from the coordinator.
import { ErrorCode } from '../kafka-errors.ts';
import { EMPTY, type CoordinatorContext, type DescribedGroup } from './coordinator-context.ts';
import { GroupState, type Group } from './group.ts';

export function describeGroup(ctx: CoordinatorContext, groupId: string): DescribedGroup {
  const group = ctx.groups.get(groupId);
  const base = { errorCode: ErrorCode.NONE, groupId, protocolType: '', protocolData: '', members: [] };
  if (group === undefined) {
    // Groups known only by their committed offsets (simple commits, or after a restart) are Empty, as in Kafka.
    return { ...base, groupState: ctx.offsets.fetchAll(groupId).length > 0 ? GroupState.Empty : GroupState.Dead };
  }
  const stable = group.state === GroupState.Stable;
  const protocol = group.protocolName ?? '';
  return {
    ...base,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? protocol : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadataFor(protocol) : EMPTY,
      memberAssignment: stable ? m.assignment : EMPTY,
    })),
  };
}

export function listGroups(ctx: CoordinatorContext): Array<{ groupId: string; protocolType: string; groupState: string }> {
  const listed = new Map<string, { groupId: string; protocolType: string; groupState: string }>();
  for (const g of ctx.groups.values()) {
    if (g.state !== GroupState.Dead) listed.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state });
  }
  // Kafka persists group metadata and lists these as consumer groups; we persist only their offsets.
  for (const groupId of ctx.offsets.groups()) {
    if (!listed.has(groupId)) listed.set(groupId, { groupId, protocolType: 'consumer', groupState: GroupState.Empty });
  }
  return [...listed.values()];
}

export async function deleteGroups(ctx: CoordinatorContext, groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
  const results: Array<{ groupId: string; errorCode: number }> = [];
  for (const groupId of groupIds) {
    if (ctx.closed) {
      results.push({ groupId, errorCode: ErrorCode.NOT_COORDINATOR });
      continue;
    }
    const group = ctx.groups.get(groupId);
    const hasOffsets = ctx.offsets.fetchAll(groupId).length > 0;
    if ((group === undefined || group.state === GroupState.Dead) && !hasOffsets) {
      results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
      continue;
    }
    if (group !== undefined && group.state !== GroupState.Empty && group.state !== GroupState.Dead) {
      results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
      continue;
    }
    if (group !== undefined) killGroup(ctx, group);
    await ctx.offsets.deleteGroup(groupId);
    results.push({ groupId, errorCode: ErrorCode.NONE });
  }
  return results;
}

export function killGroup(ctx: CoordinatorContext, group: Group): void {
  group.state = GroupState.Dead;
  group.cancelJoin?.();
  group.cancelSyncExpiry?.();
  for (const cancel of group.pendingMembers.values()) cancel();
  for (const m of group.members.values()) m.cancelExpiry?.();
  ctx.groups.delete(group.groupId);
}
