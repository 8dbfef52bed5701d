// JoinGroup (v0-5): parks until the group's join barrier falls. v0 has no rebalance timeout (the
// session timeout stands in, as in Kafka); v4+ dynamic members first get MEMBER_ID_REQUIRED.
import type { ApiHandler } from './context.ts';

export const handleJoinGroup: ApiHandler<11> = async (deps, body, ctx) => {
  const version = ctx.header.apiVersion;
  const groupInstanceId = body.groupInstanceId ?? null;
  const result = await deps.coordinator.joinGroup({
    groupId: body.groupId,
    memberId: body.memberId,
    groupInstanceId,
    requireKnownMemberId: version >= 4 && groupInstanceId === null,
    clientId: ctx.header.clientId ?? '',
    clientHost: ctx.clientHost,
    sessionTimeoutMs: body.sessionTimeoutMs,
    rebalanceTimeoutMs: version >= 1 && body.rebalanceTimeoutMs !== undefined ? body.rebalanceTimeoutMs : body.sessionTimeoutMs,
    protocolType: body.protocolType,
    protocols: body.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generationId,
    protocolName: result.protocolName ?? '',
    leader: result.leader,
    memberId: result.memberId,
    members: result.members,
  };
};
