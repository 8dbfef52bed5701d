// SyncGroup (v0-3): the leader hands in the assignment; followers park until it arrives.
import type { ApiHandler } from './context.ts';

export const handleSyncGroup: ApiHandler<14> = async (deps, body) => {
  const result = await deps.coordinator.syncGroup({
    groupId: body.groupId,
    generationId: body.generationId,
    memberId: body.memberId,
    assignments: body.assignments,
  });
  return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
};
