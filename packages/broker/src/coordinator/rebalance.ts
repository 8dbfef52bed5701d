// The rebalance state machine, as Kafka's GroupCoordinator runs it: preparing a rebalance (and
// Kafka's InitialDelayedJoin for an empty group), the join barrier, the start of a generation with its
// SyncGroup deadline, and member sessions, whose expiry removes the member and so starts a rebalance.
import { ErrorCode } from '../kafka-errors.ts';
import { EMPTY, joinError, syncError, type CoordinatorContext } from './coordinator-context.ts';
import { GroupState, type Group, type JoinGroupResult, type Member } from './group.ts';

export function joinResult(group: Group, member: Member): JoinGroupResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    members: group.isLeader(member.memberId) ? group.memberMetadata() : [],
  };
}

export function maybePrepareRebalance(ctx: CoordinatorContext, group: Group, reason: string): void {
  const s = group.state;
  if (s === GroupState.Stable || s === GroupState.CompletingRebalance || s === GroupState.Empty) prepareRebalance(ctx, group, reason);
}

export function prepareRebalance(ctx: CoordinatorContext, group: Group, reason: string): void {
  if (group.state === GroupState.CompletingRebalance) {
    // Members waiting for an assignment of a generation that will never be stable: make them rejoin.
    for (const m of group.members.values()) {
      m.assignment = EMPTY;
      if (m.isAwaitingSync) {
        m.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        // Its session restarts now: it could not heartbeat while parked.
        scheduleExpiry(ctx, group, m);
      }
    }
  }
  group.cancelSyncExpiry?.();
  group.cancelSyncExpiry = null;
  group.pendingSyncMembers.clear();
  group.cancelJoin?.();
  const wasEmpty = group.state === GroupState.Empty;
  group.state = GroupState.PreparingRebalance;
  ctx.log?.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing rebalance');
  if (wasEmpty) {
    group.initialJoin = true;
    scheduleInitialJoin(ctx, group, ctx.initialDelayMs, Math.max(group.rebalanceTimeoutMs - ctx.initialDelayMs, 0));
  } else {
    group.initialJoin = false;
    group.cancelJoin = ctx.scheduler.schedule(group.rebalanceTimeoutMs, () => completeJoin(ctx, group));
    tryCompleteJoin(ctx, group);
  }
}

/** Kafka's InitialDelayedJoin: waits the delay, and again while new members keep arriving, up to the rebalance timeout. */
function scheduleInitialJoin(ctx: CoordinatorContext, group: Group, delayMs: number, remainingMs: number): void {
  group.cancelJoin = ctx.scheduler.schedule(delayMs, () => {
    group.cancelJoin = null;
    if (group.state !== GroupState.PreparingRebalance) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      scheduleInitialJoin(ctx, group, Math.min(ctx.initialDelayMs, remainingMs), Math.max(remainingMs - delayMs, 0));
    } else {
      completeJoin(ctx, group);
    }
  });
}

export function tryCompleteJoin(ctx: CoordinatorContext, group: Group): void {
  if (group.state !== GroupState.PreparingRebalance || group.initialJoin) return;
  if (group.hasAllMembersJoined) completeJoin(ctx, group);
}

/** The join barrier fell (all rejoined, or the rebalance timeout passed): start the next generation. */
export function completeJoin(ctx: CoordinatorContext, group: Group): void {
  if (group.state !== GroupState.PreparingRebalance) return;
  group.cancelJoin?.();
  group.cancelJoin = null;
  group.initialJoin = false;
  for (const m of [...group.members.values()]) {
    if (!m.isAwaitingJoin) {
      ctx.log?.info({ groupId: group.groupId, memberId: m.memberId }, 'removing member that did not rejoin');
      group.remove(m.memberId);
    }
  }
  group.generationId += 1;
  group.pendingSyncMembers.clear();
  if (group.size === 0) {
    group.protocolName = null;
    group.state = GroupState.Empty;
    ctx.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is empty');
    return;
  }
  group.protocolName = group.selectProtocol();
  group.state = GroupState.CompletingRebalance;
  ctx.log?.info({ groupId: group.groupId, generationId: group.generationId, members: group.size }, 'rebalance joined');
  for (const m of group.members.values()) {
    m.completeJoin(joinResult(group, m));
    m.isNew = false;
    scheduleExpiry(ctx, group, m);
    group.pendingSyncMembers.add(m.memberId);
  }
  // Members that never send SyncGroup are removed after the rebalance timeout (Kafka's DelayedSync).
  const generation = group.generationId;
  group.cancelSyncExpiry = ctx.scheduler.schedule(group.rebalanceTimeoutMs, () => {
    group.cancelSyncExpiry = null;
    if (group.generationId !== generation || group.pendingSyncMembers.size === 0) return;
    if (group.state !== GroupState.CompletingRebalance && group.state !== GroupState.Stable) return;
    const missing = [...group.pendingSyncMembers];
    for (const memberId of missing) {
      group.members.get(memberId)?.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
      group.remove(memberId);
    }
    prepareRebalance(ctx, group, `members ${missing.join(', ')} did not sync`);
  });
}

export function scheduleExpiry(ctx: CoordinatorContext, group: Group, member: Member): void {
  member.cancelExpiry?.();
  const timeoutMs = member.isNew ? ctx.newMemberJoinTimeoutMs : member.sessionTimeoutMs;
  member.cancelExpiry = ctx.scheduler.schedule(timeoutMs, () => {
    member.cancelExpiry = null;
    if (group.members.get(member.memberId) !== member || group.state === GroupState.Dead) return;
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) {
      // A member parked in a rebalance cannot heartbeat; the rebalance timeout bounds its wait instead.
      scheduleExpiry(ctx, group, member);
      return;
    }
    ctx.log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
    removeMemberAndUpdateGroup(ctx, group, member);
  });
}

export function removeMemberAndUpdateGroup(ctx: CoordinatorContext, group: Group, member: Member): void {
  // A member removed while its JoinGroup or SyncGroup waits gets an answer, so the client retries.
  member.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
  member.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
  group.remove(member.memberId);
  switch (group.state) {
    case GroupState.Stable:
    case GroupState.CompletingRebalance:
      prepareRebalance(ctx, group, `member ${member.memberId} left`);
      break;
    case GroupState.PreparingRebalance:
      tryCompleteJoin(ctx, group);
      break;
    default:
  }
}
