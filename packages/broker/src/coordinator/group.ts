// One classic consumer group's membership as Kafka's GroupMetadata keeps it: members in join order,
// the pending (MEMBER_ID_REQUIRED) members, protocol bookkeeping and the generation. The rules that move a
// group between states live in rebalance.ts and join-sync.ts; this file only keeps the data consistent.
import type { Cancel } from './scheduler.ts';

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type GroupState = (typeof GroupState)[keyof typeof GroupState];

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the selected protocol. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export class Member {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer = Buffer.alloc(0);
  /** Callers whose JoinGroup waits for the rebalance to complete (a list: a client may resend). */
  joinWaiters: Array<(result: JoinGroupResult) => void> = [];
  syncWaiters: Array<(result: SyncGroupResult) => void> = [];
  /** Joined during the current rebalance; expires on the new-member timeout instead of the session. */
  isNew = false;
  cancelExpiry: Cancel | null = null;

  constructor(init: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    protocolType: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocols: GroupProtocol[];
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.protocolType = init.protocolType;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocols = init.protocols;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiters.length > 0;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiters.length > 0;
  }

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols, in the same order, with the same metadata: a rejoin that changes nothing. */
  matches(protocols: GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const own = this.protocols[i];
      return own !== undefined && own.name === p.name && own.metadata.equals(p.metadata);
    });
  }

  /** The member's most preferred protocol among those every member supports. */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }

  completeJoin(result: JoinGroupResult): void {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const resolve of waiters) resolve(result);
  }

  completeSync(result: SyncGroupResult): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve(result);
  }
}

export class Group {
  readonly groupId: string;
  state: GroupState = GroupState.Empty;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Insertion-ordered: the first member is the leader when the old leader is gone. */
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, waiting for the member's second JoinGroup. */
  readonly pendingMembers = new Map<string, Cancel>();
  /** Members that got their JoinGroup response but have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** Set when a member joins during the very first rebalance; extends the initial delay. */
  newMemberAdded = false;
  /** Timer completing the current join phase (rebalance timeout or initial delay). */
  cancelJoin: Cancel | null = null;
  /** True while the join phase is the initial delayed join, which only completes on its timer. */
  initialJoin = false;
  cancelSyncExpiry: Cancel | null = null;
  readonly #protocolCounts = new Map<string, number>();

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** The longest rebalance timeout of the members: the join barrier waits that long. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  get hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (!m.isAwaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  /** Whether a member with these protocols may join: same type, and at least one protocol every member supports. */
  supportsProtocols(protocolType: string, names: ReadonlySet<string>): boolean {
    if (this.state === GroupState.Empty) return protocolType !== '' && names.size > 0;
    if (this.protocolType !== protocolType) return false;
    for (const name of names) if ((this.#protocolCounts.get(name) ?? 0) === this.members.size) return true;
    return false;
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.leaderId ??= member.memberId;
    this.members.set(member.memberId, member);
    this.#count(member.protocols, 1);
    this.pendingMembers.delete(member.memberId);
  }

  updateProtocols(member: Member, protocols: GroupProtocol[]): void {
    this.#count(member.protocols, -1);
    member.protocols = protocols;
    this.#count(protocols, 1);
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member !== undefined) {
      this.#count(member.protocols, -1);
      member.cancelExpiry?.();
      member.cancelExpiry = null;
      this.members.delete(memberId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingMembers.get(memberId)?.();
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** Kafka's selection: candidates are the protocols all members support; each member votes for its favourite. */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.#protocolCounts) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.vote(candidates);
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    if (best === undefined) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    return best;
  }

  /** Members as the leader's JoinGroup response lists them. */
  memberMetadata(): JoinGroupResult['members'] {
    const protocol = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) }));
  }

  #count(protocols: GroupProtocol[], delta: number): void {
    for (const p of protocols) {
      const next = (this.#protocolCounts.get(p.name) ?? 0) + delta;
      if (next === 0) this.#protocolCounts.delete(p.name);
      else this.#protocolCounts.set(p.name, next);
    }
  }
}
