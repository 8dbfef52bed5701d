// LeaveGroup (v0-3): one member up to v2, a batch of members from v3 (KIP-345). Before v3 the single
// member's error is the response's error, as Kafka maps it.
import type { ApiHandler } from './context.ts';

export const handleLeaveGroup: ApiHandler<13> = (deps, body, ctx) => {
  if (ctx.header.apiVersion >= 3) {
    const result = deps.coordinator.leaveGroup(body.groupId, body.members ?? []);
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  }
  const result = deps.coordinator.leaveGroup(body.groupId, [{ memberId: body.memberId ?? '', groupInstanceId: null }]);
  return { throttleTimeMs: 0, errorCode: result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0) };
};
