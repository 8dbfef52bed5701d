// JoinGroup and SyncGroup: new members (with JoinGroup v4's MEMBER_ID_REQUIRED round trip), rejoining
// members in each group state, and the leader's assignment handed to every member of the generation.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../kafka-errors.ts';
import { EMPTY, joinError, syncError, type CoordinatorContext, type JoinGroupParams, type SyncGroupParams } from './coordinator-context.ts';
import { Group, GroupState, Member, type JoinGroupResult, type SyncGroupResult } from './group.ts';
import { joinResult, maybePrepareRebalance, scheduleExpiry, tryCompleteJoin } from './rebalance.ts';

export function joinGroup(ctx: CoordinatorContext, params: JoinGroupParams): Promise<JoinGroupResult> {
  const { groupId, memberId } = params;
  if (ctx.closed) return Promise.resolve(joinError(memberId, ErrorCode.NOT_COORDINATOR));
  if (groupId === '') return Promise.resolve(joinError(memberId, ErrorCode.INVALID_GROUP_ID));
  if (params.sessionTimeoutMs < ctx.minSessionMs || params.sessionTimeoutMs > ctx.maxSessionMs) {
    return Promise.resolve(joinError(memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
  }
  let group = ctx.groups.get(groupId);
  if (group === undefined) {
    // A member that names an id cannot create the group: it belongs to a generation that is gone.
    if (memberId !== '') return Promise.resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    group = new Group(groupId);
    ctx.groups.set(groupId, group);
  }
  const { promise, resolve } = Promise.withResolvers<JoinGroupResult>();
  if (group.state === GroupState.Dead) {
    resolve(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
  } else if (!group.supportsProtocols(params.protocolType, new Set(params.protocols.map((p) => p.name)))) {
    resolve(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  } else if (memberId === '') {
    joinNewMember(ctx, group, params, resolve);
  } else {
    joinCurrentMember(ctx, group, params, resolve);
  }
  if (group.state === GroupState.PreparingRebalance) tryCompleteJoin(ctx, group);
  return promise;
}

function joinNewMember(ctx: CoordinatorContext, group: Group, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
  const newMemberId = `${params.groupInstanceId ?? params.clientId}-${randomUUID()}`;
  if (params.requireKnownMemberId && params.groupInstanceId === null) {
    // The member must come back with this id within its session timeout, or it is forgotten.
    const cancel = ctx.scheduler.schedule(params.sessionTimeoutMs, () => {
      if (!group.pendingMembers.has(newMemberId)) return;
      group.pendingMembers.delete(newMemberId);
      if (group.state === GroupState.PreparingRebalance) tryCompleteJoin(ctx, group);
    });
    group.pendingMembers.set(newMemberId, cancel);
    resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    return;
  }
  addMemberAndRebalance(ctx, group, newMemberId, params, resolve);
}

function joinCurrentMember(ctx: CoordinatorContext, group: Group, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
  const { memberId } = params;
  const pendingCancel = group.pendingMembers.get(memberId);
  if (pendingCancel !== undefined) {
    pendingCancel();
    addMemberAndRebalance(ctx, group, memberId, params, resolve);
    return;
  }
  const member = group.members.get(memberId);
  if (member === undefined) {
    resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    return;
  }
  switch (group.state) {
    case GroupState.PreparingRebalance:
      updateMemberAndRebalance(ctx, group, member, params, resolve);
      return;
    case GroupState.CompletingRebalance:
      if (member.matches(params.protocols)) {
        // It probably lost the first response: answer again for the current generation.
        resolve(joinResult(group, member));
      } else {
        updateMemberAndRebalance(ctx, group, member, params, resolve);
      }
      return;
    case GroupState.Stable:
      if (group.isLeader(memberId) || !member.matches(params.protocols)) {
        // A leader's rejoin is how a consumer asks for a rebalance after topic metadata changed.
        updateMemberAndRebalance(ctx, group, member, params, resolve);
      } else {
        resolve({ ...joinResult(group, member), members: [] });
      }
      return;
    default:
      resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
  }
}

function addMemberAndRebalance(ctx: CoordinatorContext, group: Group, memberId: string, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
  const member = new Member({
    memberId,
    groupInstanceId: params.groupInstanceId,
    clientId: params.clientId,
    clientHost: params.clientHost,
    protocolType: params.protocolType,
    rebalanceTimeoutMs: params.rebalanceTimeoutMs,
    sessionTimeoutMs: params.sessionTimeoutMs,
    protocols: params.protocols,
  });
  member.isNew = true;
  if (group.state === GroupState.PreparingRebalance && group.generationId === 0) group.newMemberAdded = true;
  group.add(member);
  member.joinWaiters.push(resolve);
  scheduleExpiry(ctx, group, member);
  maybePrepareRebalance(ctx, group, `member ${memberId} joined`);
}

function updateMemberAndRebalance(ctx: CoordinatorContext, group: Group, member: Member, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
  group.updateProtocols(member, params.protocols);
  member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
  member.sessionTimeoutMs = params.sessionTimeoutMs;
  member.joinWaiters.push(resolve);
  maybePrepareRebalance(ctx, group, `member ${member.memberId} rejoined`);
}

export function syncGroup(ctx: CoordinatorContext, params: SyncGroupParams): Promise<SyncGroupResult> {
  const group = ctx.groups.get(params.groupId);
  if (ctx.closed) return Promise.resolve(syncError(ErrorCode.NOT_COORDINATOR));
  if (group === undefined) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  if (group.state === GroupState.Dead) return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
  const member = group.members.get(params.memberId);
  if (member === undefined) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  if (params.generationId !== group.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
  switch (group.state) {
    case GroupState.Empty:
      return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    case GroupState.PreparingRebalance:
      return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    case GroupState.Stable:
      group.pendingSyncMembers.delete(member.memberId);
      scheduleExpiry(ctx, group, member);
      return Promise.resolve(syncResult(group, member));
    default: {
      const { promise, resolve } = Promise.withResolvers<SyncGroupResult>();
      member.syncWaiters.push(resolve);
      group.pendingSyncMembers.delete(member.memberId);
      if (group.isLeader(member.memberId)) {
        const byMember = new Map(params.assignments.map((a) => [a.memberId, a.assignment]));
        for (const m of group.members.values()) {
          m.assignment = byMember.get(m.memberId) ?? EMPTY;
        }
        group.state = GroupState.Stable;
        ctx.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group stable');
        for (const m of group.members.values()) {
          if (m.isAwaitingSync) {
            m.completeSync(syncResult(group, m));
            scheduleExpiry(ctx, group, m);
          }
        }
      }
      return promise;
    }
  }
}

function syncResult(group: Group, member: Member): SyncGroupResult {
  return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
}
