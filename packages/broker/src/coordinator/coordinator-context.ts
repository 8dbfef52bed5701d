// What the coordinator's parts share: the groups, the offset store, the scheduler and the settings
// (CoordinatorContext), the parameter and result shapes of its public API, and the error answers of
// JoinGroup and SyncGroup. Each concern is a module of functions over the context (join-sync.ts,
// rebalance.ts, liveness.ts, offsets.ts, admin.ts); group-coordinator.ts is the class tying them up.
import type { Logger } from 'pino';
import type { Group, GroupProtocol, JoinGroupResult, SyncGroupResult } from './group.ts';
import type { Scheduler } from './scheduler.ts';

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

export const EMPTY = Buffer.alloc(0);

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** The coordinator's state and settings, shared by the functions of each concern. */
export interface CoordinatorContext {
  readonly groups: Map<string, Group>;
  readonly offsets: GroupOffsetStore;
  readonly scheduler: Scheduler;
  /** group.initial.rebalance.delay.ms */
  readonly initialDelayMs: number;
  readonly minSessionMs: number;
  readonly maxSessionMs: number;
  readonly newMemberJoinTimeoutMs: number;
  readonly log: Logger | undefined;
  /** Set by close(): every call answers NOT_COORDINATOR. */
  closed: boolean;
}
