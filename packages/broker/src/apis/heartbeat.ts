// Heartbeat (v0-3): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import type { ApiHandler } from './context.ts';

export const handleHeartbeat: ApiHandler<12> = (deps, body) => ({
  throttleTimeMs: 0,
  errorCode: deps.coordinator.heartbeat({ groupId: body.groupId, memberId: body.memberId, generationId: body.generationId }),
});
