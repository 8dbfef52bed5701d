// The classic group coordinator, following Kafka's GroupCoordinator: JoinGroup's barrier and
// MEMBER_ID_REQUIRED flow, SyncGroup, heartbeats and session expiry, LeaveGroup, describe/list/delete and
// the generation checks on offset commits. Pure logic over an injected Scheduler and offset store, so it
// runs the same under a manual clock in tests; the apis/ handlers translate wire bodies to these calls.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/index.ts';
import { Group, GroupState, Member, type GroupProtocol, type JoinGroupResult, type SyncGroupResult } from './group.ts';
import { systemScheduler, type Scheduler } from './scheduler.ts';

/** The part of Contract B's OffsetStore the coordinator needs. */
export interface GroupOffsetStore {
  commit(group: string, entries: Array<{ topic: string; partition: number; offset: bigint; metadata: string | null }>): Promise<void>;
  fetch(group: string, topic: string, partition: number): { offset: bigint; metadata: string | null } | undefined;
  fetchAll(group: string): Array<{ topic: string; partition: number; offset: bigint; metadata: string | null }>;
  groups(): string[];
  deleteGroup(group: string): Promise<void>;
}

export interface GroupCoordinatorOptions {
  offsets: GroupOffsetStore;
  /** @default real time */
  scheduler?: Scheduler;
  /** Kafka's group.initial.rebalance.delay.ms. @default 0 */
  initialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms. @default 6000 */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms. @default 1800000 */
  maxSessionTimeoutMs?: number;
  /** How long a member that joined during a rebalance may wait for it. @default 300000 (Kafka's constant) */
  newMemberJoinTimeoutMs?: number;
  logger?: Logger;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+: a new member first gets its id with MEMBER_ID_REQUIRED and must join again. */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
}

export interface OffsetCommitParams {
  groupId: string;
  generationId: number;
  memberId: string;
  entries: Array<{ topic: string; partition: number; offset: bigint; metadata: string | null }>;
}

const EMPTY = Buffer.alloc(0);

function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class GroupCoordinator {
  readonly #groups = new Map<string, Group>();
  readonly #offsets: GroupOffsetStore;
  readonly #scheduler: Scheduler;
  readonly #initialDelayMs: number;
  readonly #minSessionMs: number;
  readonly #maxSessionMs: number;
  readonly #newMemberJoinTimeoutMs: number;
  readonly #log: Logger | undefined;
  #closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.#offsets = options.offsets;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#initialDelayMs = options.initialRebalanceDelayMs ?? 0;
    this.#minSessionMs = options.minSessionTimeoutMs ?? 6000;
    this.#maxSessionMs = options.maxSessionTimeoutMs ?? 1_800_000;
    this.#newMemberJoinTimeoutMs = options.newMemberJoinTimeoutMs ?? 300_000;
    this.#log = options.logger;
  }

  // ---------------------------------------------------------------- JoinGroup

  joinGroup(params: JoinGroupParams): Promise<JoinGroupResult> {
    const { groupId, memberId } = params;
    if (this.#closed) return Promise.resolve(joinError(memberId, ErrorCode.NOT_COORDINATOR));
    if (groupId === '') return Promise.resolve(joinError(memberId, ErrorCode.INVALID_GROUP_ID));
    if (params.sessionTimeoutMs < this.#minSessionMs || params.sessionTimeoutMs > this.#maxSessionMs) {
      return Promise.resolve(joinError(memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    let group = this.#groups.get(groupId);
    if (group === undefined) {
      // A member that names an id cannot create the group: it belongs to a generation that is gone.
      if (memberId !== '') return Promise.resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = new Group(groupId);
      this.#groups.set(groupId, group);
    }
    const { promise, resolve } = Promise.withResolvers<JoinGroupResult>();
    if (group.state === GroupState.Dead) {
      resolve(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    } else if (!group.supportsProtocols(params.protocolType, new Set(params.protocols.map((p) => p.name)))) {
      resolve(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    } else if (memberId === '') {
      this.#joinNewMember(group, params, resolve);
    } else {
      this.#joinCurrentMember(group, params, resolve);
    }
    if (group.state === GroupState.PreparingRebalance) this.#tryCompleteJoin(group);
    return promise;
  }

  #joinNewMember(group: Group, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
    const newMemberId = `${params.groupInstanceId ?? params.clientId}-${randomUUID()}`;
    if (params.requireKnownMemberId && params.groupInstanceId === null) {
      // The member must come back with this id within its session timeout, or it is forgotten.
      const cancel = this.#scheduler.schedule(params.sessionTimeoutMs, () => {
        if (!group.pendingMembers.has(newMemberId)) return;
        group.pendingMembers.delete(newMemberId);
        if (group.state === GroupState.PreparingRebalance) this.#tryCompleteJoin(group);
      });
      group.pendingMembers.set(newMemberId, cancel);
      resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
      return;
    }
    this.#addMemberAndRebalance(group, newMemberId, params, resolve);
  }

  #joinCurrentMember(group: Group, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
    const { memberId } = params;
    const pendingCancel = group.pendingMembers.get(memberId);
    if (pendingCancel !== undefined) {
      pendingCancel();
      this.#addMemberAndRebalance(group, memberId, params, resolve);
      return;
    }
    const member = group.members.get(memberId);
    if (member === undefined) {
      resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return;
    }
    switch (group.state) {
      case GroupState.PreparingRebalance:
        this.#updateMemberAndRebalance(group, member, params, resolve);
        return;
      case GroupState.CompletingRebalance:
        if (member.matches(params.protocols)) {
          // It probably lost the first response: answer again for the current generation.
          resolve(this.#joinResult(group, member));
        } else {
          this.#updateMemberAndRebalance(group, member, params, resolve);
        }
        return;
      case GroupState.Stable:
        if (group.isLeader(memberId) || !member.matches(params.protocols)) {
          // A leader's rejoin is how a consumer asks for a rebalance after topic metadata changed.
          this.#updateMemberAndRebalance(group, member, params, resolve);
        } else {
          resolve({ ...this.#joinResult(group, member), members: [] });
        }
        return;
      default:
        resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  #addMemberAndRebalance(group: Group, memberId: string, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
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
    this.#scheduleExpiry(group, member);
    this.#maybePrepareRebalance(group, `member ${memberId} joined`);
  }

  #updateMemberAndRebalance(group: Group, member: Member, params: JoinGroupParams, resolve: (r: JoinGroupResult) => void): void {
    group.updateProtocols(member, params.protocols);
    member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    member.sessionTimeoutMs = params.sessionTimeoutMs;
    member.joinWaiters.push(resolve);
    this.#maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
  }

  #joinResult(group: Group, member: Member): JoinGroupResult {
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

  // ---------------------------------------------------------------- rebalance phases

  #maybePrepareRebalance(group: Group, reason: string): void {
    const s = group.state;
    if (s === GroupState.Stable || s === GroupState.CompletingRebalance || s === GroupState.Empty) this.#prepareRebalance(group, reason);
  }

  #prepareRebalance(group: Group, reason: string): void {
    if (group.state === GroupState.CompletingRebalance) {
      // Members waiting for an assignment of a generation that will never be stable: make them rejoin.
      for (const m of group.members.values()) {
        m.assignment = EMPTY;
        if (m.isAwaitingSync) {
          m.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          // Its session restarts now: it could not heartbeat while parked.
          this.#scheduleExpiry(group, m);
        }
      }
    }
    group.cancelSyncExpiry?.();
    group.cancelSyncExpiry = null;
    group.pendingSyncMembers.clear();
    group.cancelJoin?.();
    const wasEmpty = group.state === GroupState.Empty;
    group.state = GroupState.PreparingRebalance;
    this.#log?.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing rebalance');
    if (wasEmpty) {
      group.initialJoin = true;
      this.#scheduleInitialJoin(group, this.#initialDelayMs, Math.max(group.rebalanceTimeoutMs - this.#initialDelayMs, 0));
    } else {
      group.initialJoin = false;
      group.cancelJoin = this.#scheduler.schedule(group.rebalanceTimeoutMs, () => this.#completeJoin(group));
      this.#tryCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: waits the delay, and again while new members keep arriving, up to the rebalance timeout. */
  #scheduleInitialJoin(group: Group, delayMs: number, remainingMs: number): void {
    group.cancelJoin = this.#scheduler.schedule(delayMs, () => {
      group.cancelJoin = null;
      if (group.state !== GroupState.PreparingRebalance) return;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        this.#scheduleInitialJoin(group, Math.min(this.#initialDelayMs, remainingMs), Math.max(remainingMs - delayMs, 0));
      } else {
        this.#completeJoin(group);
      }
    });
  }

  #tryCompleteJoin(group: Group): void {
    if (group.state !== GroupState.PreparingRebalance || group.initialJoin) return;
    if (group.hasAllMembersJoined) this.#completeJoin(group);
  }

  /** The join barrier fell (all rejoined, or the rebalance timeout passed): start the next generation. */
  #completeJoin(group: Group): void {
    if (group.state !== GroupState.PreparingRebalance) return;
    group.cancelJoin?.();
    group.cancelJoin = null;
    group.initialJoin = false;
    for (const m of [...group.members.values()]) {
      if (!m.isAwaitingJoin) {
        this.#log?.info({ groupId: group.groupId, memberId: m.memberId }, 'removing member that did not rejoin');
        group.remove(m.memberId);
      }
    }
    group.generationId += 1;
    group.pendingSyncMembers.clear();
    if (group.size === 0) {
      group.protocolName = null;
      group.state = GroupState.Empty;
      this.#log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is empty');
      return;
    }
    group.protocolName = group.selectProtocol();
    group.state = GroupState.CompletingRebalance;
    this.#log?.info({ groupId: group.groupId, generationId: group.generationId, members: group.size }, 'rebalance joined');
    for (const m of group.members.values()) {
      m.completeJoin(this.#joinResult(group, m));
      m.isNew = false;
      this.#scheduleExpiry(group, m);
      group.pendingSyncMembers.add(m.memberId);
    }
    // Members that never send SyncGroup are removed after the rebalance timeout (Kafka's DelayedSync).
    const generation = group.generationId;
    group.cancelSyncExpiry = this.#scheduler.schedule(group.rebalanceTimeoutMs, () => {
      group.cancelSyncExpiry = null;
      if (group.generationId !== generation || group.pendingSyncMembers.size === 0) return;
      if (group.state !== GroupState.CompletingRebalance && group.state !== GroupState.Stable) return;
      const missing = [...group.pendingSyncMembers];
      for (const memberId of missing) {
        group.members.get(memberId)?.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
        group.remove(memberId);
      }
      this.#prepareRebalance(group, `members ${missing.join(', ')} did not sync`);
    });
  }

  // ---------------------------------------------------------------- liveness

  #scheduleExpiry(group: Group, member: Member): void {
    member.cancelExpiry?.();
    const timeoutMs = member.isNew ? this.#newMemberJoinTimeoutMs : member.sessionTimeoutMs;
    member.cancelExpiry = this.#scheduler.schedule(timeoutMs, () => {
      member.cancelExpiry = null;
      if (group.members.get(member.memberId) !== member || group.state === GroupState.Dead) return;
      if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) {
        // A member parked in a rebalance cannot heartbeat; the rebalance timeout bounds its wait instead.
        this.#scheduleExpiry(group, member);
        return;
      }
      this.#log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
      this.#removeMemberAndUpdateGroup(group, member);
    });
  }

  #removeMemberAndUpdateGroup(group: Group, member: Member): void {
    // A member removed while its JoinGroup or SyncGroup waits gets an answer, so the client retries.
    member.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    member.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    group.remove(member.memberId);
    switch (group.state) {
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        this.#prepareRebalance(group, `member ${member.memberId} left`);
        break;
      case GroupState.PreparingRebalance:
        this.#tryCompleteJoin(group);
        break;
      default:
    }
  }

  // ---------------------------------------------------------------- SyncGroup, Heartbeat, LeaveGroup

  syncGroup(params: SyncGroupParams): Promise<SyncGroupResult> {
    const group = this.#groups.get(params.groupId);
    if (this.#closed) return Promise.resolve(syncError(ErrorCode.NOT_COORDINATOR));
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
        this.#scheduleExpiry(group, member);
        return Promise.resolve(this.#syncResult(group, member));
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
          this.#log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group stable');
          for (const m of group.members.values()) {
            if (m.isAwaitingSync) {
              m.completeSync(this.#syncResult(group, m));
              this.#scheduleExpiry(group, m);
            }
          }
        }
        return promise;
      }
    }
  }

  #syncResult(group: Group, member: Member): SyncGroupResult {
    return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
  }

  heartbeat(params: { groupId: string; memberId: string; generationId: number }): number {
    if (this.#closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.#groups.get(params.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === GroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(params.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (params.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case GroupState.Empty:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case GroupState.PreparingRebalance:
        this.#scheduleExpiry(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.#scheduleExpiry(group, member);
        return ErrorCode.NONE;
    }
  }

  leaveGroup(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null }>): {
    errorCode: number;
    members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
  } {
    if (this.#closed) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    const group = this.#groups.get(groupId);
    if (group === undefined) {
      return { errorCode: ErrorCode.NONE, members: leaving.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    }
    if (group.state === GroupState.Dead) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => {
      if (group.pendingMembers.has(m.memberId)) {
        group.remove(m.memberId);
        if (group.state === GroupState.PreparingRebalance) this.#tryCompleteJoin(group);
        return { ...m, errorCode: ErrorCode.NONE };
      }
      // Removal by group.instance.id alone (an admin removing a static member).
      const memberId = m.memberId !== '' ? m.memberId : this.#memberIdByInstance(group, m.groupInstanceId);
      const member = memberId === undefined ? undefined : group.members.get(memberId);
      if (member === undefined) return { ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.#log?.info({ groupId, memberId: member.memberId }, 'member left');
      this.#removeMemberAndUpdateGroup(group, member);
      return { ...m, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  #memberIdByInstance(group: Group, groupInstanceId: string | null): string | undefined {
    if (groupInstanceId === null) return undefined;
    for (const m of group.members.values()) if (m.groupInstanceId === groupInstanceId) return m.memberId;
    return undefined;
  }

  // ---------------------------------------------------------------- admin

  describeGroup(groupId: string): DescribedGroup {
    const group = this.#groups.get(groupId);
    const base = { errorCode: ErrorCode.NONE, groupId, protocolType: '', protocolData: '', members: [] };
    if (group === undefined) {
      // Groups known only by their committed offsets (simple commits, or after a restart) are Empty, as in Kafka.
      return { ...base, groupState: this.#offsets.fetchAll(groupId).length > 0 ? GroupState.Empty : GroupState.Dead };
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

  listGroups(): Array<{ groupId: string; protocolType: string; groupState: string }> {
    const listed = new Map<string, { groupId: string; protocolType: string; groupState: string }>();
    for (const g of this.#groups.values()) {
      if (g.state !== GroupState.Dead) listed.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state });
    }
    // Kafka persists group metadata and lists these as consumer groups; we persist only their offsets.
    for (const groupId of this.#offsets.groups()) {
      if (!listed.has(groupId)) listed.set(groupId, { groupId, protocolType: 'consumer', groupState: GroupState.Empty });
    }
    return [...listed.values()];
  }

  async deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const results: Array<{ groupId: string; errorCode: number }> = [];
    for (const groupId of groupIds) {
      if (this.#closed) {
        results.push({ groupId, errorCode: ErrorCode.NOT_COORDINATOR });
        continue;
      }
      const group = this.#groups.get(groupId);
      const hasOffsets = this.#offsets.fetchAll(groupId).length > 0;
      if ((group === undefined || group.state === GroupState.Dead) && !hasOffsets) {
        results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
        continue;
      }
      if (group !== undefined && group.state !== GroupState.Empty && group.state !== GroupState.Dead) {
        results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
        continue;
      }
      if (group !== undefined) this.#killGroup(group);
      await this.#offsets.deleteGroup(groupId);
      results.push({ groupId, errorCode: ErrorCode.NONE });
    }
    return results;
  }

  #killGroup(group: Group): void {
    group.state = GroupState.Dead;
    group.cancelJoin?.();
    group.cancelSyncExpiry?.();
    for (const cancel of group.pendingMembers.values()) cancel();
    for (const m of group.members.values()) m.cancelExpiry?.();
    this.#groups.delete(group.groupId);
  }

  // ---------------------------------------------------------------- offsets

  /** Validates the committer as Kafka does, then stores the offsets durably; returns the error for every partition. */
  async commitOffsets(params: OffsetCommitParams): Promise<number> {
    const error = this.#validateCommit(params);
    if (error !== ErrorCode.NONE) return error;
    await this.#offsets.commit(params.groupId, params.entries);
    return ErrorCode.NONE;
  }

  #validateCommit(params: OffsetCommitParams): number {
    const { groupId, generationId, memberId } = params;
    if (this.#closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.#groups.get(groupId);
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
      this.#scheduleExpiry(group, member);
      return ErrorCode.NONE;
    }
    // Only members may commit while the group has members.
    return group.state === GroupState.Empty ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Committed offsets; `topics` null means every partition the group committed. Unknown ones get offset -1, metadata ''. */
  fetchOffsets(groupId: string, topics: Array<{ topic: string; partitions: number[] }> | null): Array<{ topic: string; partitions: Array<{ partition: number; offset: bigint; metadata: string | null }> }> {
    if (topics === null) {
      const byTopic = new Map<string, Array<{ partition: number; offset: bigint; metadata: string | null }>>();
      for (const e of this.#offsets.fetchAll(groupId)) {
        let list = byTopic.get(e.topic);
        if (list === undefined) byTopic.set(e.topic, (list = []));
        list.push({ partition: e.partition, offset: e.offset, metadata: e.metadata ?? '' });
      }
      return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    }
    return topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((partition) => {
        const found = this.#offsets.fetch(groupId, topic, partition);
        // Offsets committed with null metadata before it was stored as '' read back as Kafka's ''.
        return { partition, offset: found?.offset ?? -1n, metadata: found?.metadata ?? '' };
      }),
    }));
  }

  // ---------------------------------------------------------------- lifecycle, metrics

  /** Number of groups per state, for the metrics gauge. */
  stateCounts(): Record<GroupState, number> {
    const counts: Record<GroupState, number> = { Empty: 0, PreparingRebalance: 0, CompletingRebalance: 0, Stable: 0, Dead: 0 };
    for (const g of this.#groups.values()) counts[g.state] += 1;
    return counts;
  }

  /** Cancels every timer and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR, as an unloading Kafka coordinator does. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const group of this.#groups.values()) {
      for (const m of group.members.values()) {
        m.completeJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.completeSync(syncError(ErrorCode.NOT_COORDINATOR));
      }
      this.#killGroup(group);
    }
  }
}
