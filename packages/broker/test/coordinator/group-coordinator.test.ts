// The group coordinator's state machine under a manual clock, with the real offset store on a temp dir.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { GroupCoordinator, type JoinGroupParams } from '../../src/coordinator/group-coordinator.ts';
import { LogManager } from '../../src/log/index.ts';
import { ErrorCode } from '../../src/protocol/index.ts';
import { ManualScheduler } from './manual-scheduler.ts';

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

async function setup(t: TestContext, options: { initialRebalanceDelayMs?: number } = {}) {
  const dataDir = await mkdtemp(joinPath(tmpdir(), 'ey-coord-'));
  const logs = await LogManager.open({ dataDir });
  const scheduler = new ManualScheduler();
  const coordinator = new GroupCoordinator({ offsets: logs.offsets, scheduler, ...options });
  t.after(async () => {
    coordinator.close();
    await logs.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { coordinator, scheduler, logs };
}

function params(overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: true,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    ...overrides,
  };
}

/** MEMBER_ID_REQUIRED round trip: returns the assigned id and the pending second join. */
async function join(coordinator: GroupCoordinator, overrides: Partial<JoinGroupParams> = {}) {
  const first = await coordinator.joinGroup(params(overrides));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.notEqual(first.memberId, '');
  return { memberId: first.memberId, joined: coordinator.joinGroup(params({ ...overrides, memberId: first.memberId })) };
}

/** One member forms a stable group alone. */
async function stableSingle(coordinator: GroupCoordinator, scheduler: ManualScheduler) {
  const a = await join(coordinator, { clientId: 'a' });
  scheduler.advance(0);
  const joined = await a.joined;
  const synced = await coordinator.syncGroup({
    groupId: 'g',
    generationId: joined.generationId,
    memberId: a.memberId,
    assignments: [{ memberId: a.memberId, assignment: Buffer.from('A') }],
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return { memberId: a.memberId, generationId: joined.generationId };
}

test('a new member gets an id with MEMBER_ID_REQUIRED, then leads generation 1 with its metadata', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await join(coordinator);
  scheduler.advance(0);
  const joined = await a.joined;
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leader, a.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.deepEqual(joined.members, [{ memberId: a.memberId, groupInstanceId: null, metadata: Buffer.from('meta') }]);
  assert.equal(coordinator.describeGroup('g').groupState, 'CompletingRebalance');
  const synced = await coordinator.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: a.memberId,
    assignments: [{ memberId: a.memberId, assignment: Buffer.from('x') }],
  });
  assert.deepEqual(synced.assignment, Buffer.from('x'));
  assert.equal(coordinator.describeGroup('g').groupState, 'Stable');
});

test('a second member triggers a rebalance: heartbeat says REBALANCE_IN_PROGRESS, both join the next generation', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const b = await join(coordinator, { clientId: 'b' });
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: a.generationId }), ErrorCode.REBALANCE_IN_PROGRESS);
  const aJoined = coordinator.joinGroup(params({ memberId: a.memberId, clientId: 'a' }));
  const [ra, rb] = await Promise.all([aJoined, b.joined]);
  assert.equal(ra.generationId, 2);
  assert.equal(rb.generationId, 2);
  assert.equal(ra.leader, a.memberId);
  assert.equal(ra.members.length, 2, 'the leader sees every member');
  assert.deepEqual(rb.members, [], 'followers see none');

  // The follower's SyncGroup waits for the leader's assignment.
  const followerSync = coordinator.syncGroup({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
  const leaderSync = coordinator.syncGroup({
    groupId: 'g',
    generationId: 2,
    memberId: a.memberId,
    assignments: [
      { memberId: a.memberId, assignment: Buffer.from('for-a') },
      { memberId: b.memberId, assignment: Buffer.from('for-b') },
    ],
  });
  assert.deepEqual((await followerSync).assignment, Buffer.from('for-b'));
  assert.deepEqual((await leaderSync).assignment, Buffer.from('for-a'));
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 2 }), ErrorCode.NONE);
});

test('heartbeat and sync generation checks: UNKNOWN_MEMBER_ID and ILLEGAL_GENERATION', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: 'nobody', generationId: a.generationId }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(coordinator.heartbeat({ groupId: 'nope', memberId: a.memberId, generationId: 1 }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: a.generationId + 5 }), ErrorCode.ILLEGAL_GENERATION);
  const sync = await coordinator.syncGroup({ groupId: 'g', generationId: 99, memberId: a.memberId, assignments: [] });
  assert.equal(sync.errorCode, ErrorCode.ILLEGAL_GENERATION);
  const rejoinUnknown = await coordinator.joinGroup(params({ memberId: 'stale-member' }));
  assert.equal(rejoinUnknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('the join barrier removes members that do not rejoin within the rebalance timeout', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const b = await join(coordinator, { clientId: 'b' });
  const aJoin = coordinator.joinGroup(params({ memberId: a.memberId }));
  const [, rb] = await Promise.all([aJoin, b.joined]);
  await Promise.all([
    coordinator.syncGroup({ groupId: 'g', generationId: rb.generationId, memberId: b.memberId, assignments: [] }),
    coordinator.syncGroup({ groupId: 'g', generationId: rb.generationId, memberId: a.memberId, assignments: [] }),
  ]);

  // c joins; a rejoins; b keeps heartbeating (so its session lives) but never rejoins.
  const c = await join(coordinator, { clientId: 'c' });
  const aAgain = coordinator.joinGroup(params({ memberId: a.memberId }));
  for (let elapsed = 0; elapsed < REBALANCE_MS - 1000; elapsed += 1000) {
    scheduler.advance(1000);
    assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: rb.generationId }), ErrorCode.REBALANCE_IN_PROGRESS);
  }
  scheduler.advance(999);
  assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
  scheduler.advance(1);
  const [ra, rc] = await Promise.all([aAgain, c.joined]);
  assert.equal(ra.generationId, rb.generationId + 1);
  assert.deepEqual(ra.members.map((m) => m.memberId).sort(), [a.memberId, c.memberId].sort());
  assert.equal(rc.errorCode, ErrorCode.NONE);
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: rb.generationId }), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member whose session expires is removed and the others are told to rejoin', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const b = await join(coordinator, { clientId: 'b' });
  const [ra] = await Promise.all([coordinator.joinGroup(params({ memberId: a.memberId })), b.joined]);
  const gen = ra.generationId;
  await Promise.all([
    coordinator.syncGroup({ groupId: 'g', generationId: gen, memberId: a.memberId, assignments: [] }),
    coordinator.syncGroup({ groupId: 'g', generationId: gen, memberId: b.memberId, assignments: [] }),
  ]);
  // a keeps heartbeating, b goes silent.
  for (let elapsed = 0; elapsed < SESSION_MS + 1000; elapsed += 2000) {
    scheduler.advance(2000);
    const err = coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: gen });
    if (err === ErrorCode.REBALANCE_IN_PROGRESS) break;
    assert.equal(err, ErrorCode.NONE);
  }
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: gen }), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoined = await coordinator.joinGroup(params({ memberId: a.memberId }));
  assert.equal(rejoined.generationId, gen + 1);
  assert.deepEqual(
    rejoined.members.map((m) => m.memberId),
    [a.memberId],
  );
});

test('a pending member id that never comes back is forgotten after its session timeout', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const ghost = await coordinator.joinGroup(params({ clientId: 'ghost' }));
  assert.equal(ghost.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  // The group stays stable: a pending member does not trigger a rebalance.
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: a.generationId }), ErrorCode.NONE);
  scheduler.advance(SESSION_MS + 1);
  const late = await coordinator.joinGroup(params({ memberId: ghost.memberId }));
  assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('LeaveGroup takes a batch of members and reports unknown ones per member', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const result = coordinator.leaveGroup('g', [
    { memberId: a.memberId, groupInstanceId: null },
    { memberId: 'unknown', groupInstanceId: null },
  ]);
  assert.equal(result.errorCode, ErrorCode.NONE);
  assert.deepEqual(
    result.members.map((m) => m.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
  );
  scheduler.advance(0);
  assert.equal(coordinator.describeGroup('g').groupState, 'Empty');
  const missing = coordinator.leaveGroup('other', [{ memberId: 'x', groupInstanceId: null }]);
  assert.deepEqual(
    missing.members.map((m) => m.errorCode),
    [ErrorCode.UNKNOWN_MEMBER_ID],
  );
});

test('the protocol chosen is one every member supports; a member sharing none is refused', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const both = [
    { name: 'range', metadata: Buffer.from('r') },
    { name: 'roundrobin', metadata: Buffer.from('rr') },
  ];
  const a = await join(coordinator, { protocols: both });
  scheduler.advance(0);
  const ra = await a.joined;
  assert.equal(ra.protocolName, 'range');
  const b = await join(coordinator, { protocols: [{ name: 'roundrobin', metadata: Buffer.from('b') }] });
  const [ra2] = await Promise.all([coordinator.joinGroup(params({ memberId: a.memberId, protocols: both })), b.joined]);
  assert.equal(ra2.protocolName, 'roundrobin');
  assert.deepEqual(ra2.members.map((m) => m.metadata.toString()).sort(), ['b', 'rr']);
  const c = await coordinator.joinGroup(params({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }));
  assert.equal(c.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const d = await coordinator.joinGroup(params({ protocolType: 'connect', protocols: both }));
  assert.equal(d.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
});

test('the initial rebalance delay gathers members that arrive together into one generation', async (t) => {
  const { coordinator, scheduler } = await setup(t, { initialRebalanceDelayMs: 3000 });
  const a = await join(coordinator, { clientId: 'a' });
  scheduler.advance(2000);
  const b = await join(coordinator, { clientId: 'b' });
  scheduler.advance(2999);
  assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
  scheduler.advance(3001);
  const [ra, rb] = await Promise.all([a.joined, b.joined]);
  assert.equal(ra.generationId, 1);
  assert.equal(rb.generationId, 1);
  assert.equal(ra.members.length, 2);
});

test('session timeouts outside the allowed range and empty group ids are refused', async (t) => {
  const { coordinator } = await setup(t);
  assert.equal((await coordinator.joinGroup(params({ sessionTimeoutMs: 100 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await coordinator.joinGroup(params({ groupId: '' }))).errorCode, ErrorCode.INVALID_GROUP_ID);
});

test('a member that never sends SyncGroup is removed after the rebalance timeout', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const b = await join(coordinator, { clientId: 'b' });
  const [ra] = await Promise.all([coordinator.joinGroup(params({ memberId: a.memberId })), b.joined]);
  // Only b syncs; a (the leader) heartbeats but never syncs, so after the rebalance timeout a is
  // removed and b's SyncGroup is answered with REBALANCE_IN_PROGRESS.
  const bSync = coordinator.syncGroup({ groupId: 'g', generationId: ra.generationId, memberId: b.memberId, assignments: [] });
  for (let elapsed = 0; elapsed < REBALANCE_MS - 1000; elapsed += 1000) {
    scheduler.advance(1000);
    assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: ra.generationId }), ErrorCode.NONE);
  }
  scheduler.advance(1000);
  assert.equal((await bSync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  assert.equal(coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: ra.generationId }), ErrorCode.UNKNOWN_MEMBER_ID);
  const rb = await coordinator.joinGroup(params({ memberId: b.memberId }));
  assert.equal(rb.leader, b.memberId);
  assert.deepEqual(
    rb.members.map((m) => m.memberId),
    [b.memberId],
  );
});

test('describe, list and delete groups', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const described = coordinator.describeGroup('g');
  assert.equal(described.groupState, 'Stable');
  assert.equal(described.protocolType, 'consumer');
  assert.equal(described.protocolData, 'range');
  assert.deepEqual(
    described.members.map((m) => [m.memberId, m.clientId, m.memberAssignment.toString()]),
    [[a.memberId, 'a', 'A']],
  );
  assert.equal(coordinator.describeGroup('missing').groupState, 'Dead');
  assert.deepEqual(coordinator.listGroups(), [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }]);

  assert.deepEqual(await coordinator.deleteGroups(['g', 'missing']), [
    { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP },
    { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
  ]);
  coordinator.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
  scheduler.advance(0);
  assert.deepEqual(await coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NONE }]);
  assert.deepEqual(coordinator.listGroups(), []);
});

test('offset commits: simple commits without a group, generation and member checks with one', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const entry = { topic: 't', partition: 0, offset: 42n, metadata: null };
  // A simple commit (admin setOffsets) creates nothing but offsets; a null metadata reads back as Kafka's ''.
  assert.equal(await coordinator.commitOffsets({ groupId: 'simple', generationId: -1, memberId: '', entries: [entry] }), ErrorCode.NONE);
  assert.deepEqual(coordinator.fetchOffsets('simple', [{ topic: 't', partitions: [0, 1] }]), [
    {
      topic: 't',
      partitions: [
        { partition: 0, offset: 42n, metadata: '' },
        { partition: 1, offset: -1n, metadata: '' },
      ],
    },
  ]);
  assert.deepEqual(coordinator.listGroups(), [{ groupId: 'simple', protocolType: 'consumer', groupState: 'Empty' }]);
  assert.equal(await coordinator.commitOffsets({ groupId: 'nogroup', generationId: 3, memberId: 'm', entries: [entry] }), ErrorCode.ILLEGAL_GENERATION);

  const a = await stableSingle(coordinator, scheduler);
  assert.equal(await coordinator.commitOffsets({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, entries: [entry] }), ErrorCode.NONE);
  assert.equal(
    await coordinator.commitOffsets({ groupId: 'g', generationId: a.generationId + 1, memberId: a.memberId, entries: [entry] }),
    ErrorCode.ILLEGAL_GENERATION,
  );
  assert.equal(
    await coordinator.commitOffsets({ groupId: 'g', generationId: a.generationId, memberId: 'other', entries: [entry] }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.equal(await coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', entries: [entry] }), ErrorCode.UNKNOWN_MEMBER_ID);

  // Between JoinGroup and SyncGroup the generation is not yet stable.
  const b = await join(coordinator, { clientId: 'b' });
  const [ra] = await Promise.all([coordinator.joinGroup(params({ memberId: a.memberId })), b.joined]);
  assert.equal(
    await coordinator.commitOffsets({ groupId: 'g', generationId: ra.generationId, memberId: a.memberId, entries: [entry] }),
    ErrorCode.REBALANCE_IN_PROGRESS,
  );
  assert.deepEqual(coordinator.fetchOffsets('g', null), [{ topic: 't', partitions: [{ partition: 0, offset: 42n, metadata: '' }] }]);
});

test('close answers parked JoinGroup requests instead of leaving them hanging', async (t) => {
  const { coordinator, scheduler } = await setup(t);
  const a = await stableSingle(coordinator, scheduler);
  const b = await join(coordinator, { clientId: 'b' });
  void a;
  coordinator.close();
  assert.equal((await b.joined).errorCode, ErrorCode.NOT_COORDINATOR);
});
