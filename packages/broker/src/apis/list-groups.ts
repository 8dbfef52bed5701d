// ListGroups (v0-2): every group the coordinator knows, including those known only by their offsets.
import { ErrorCode } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';

export const handleListGroups: ApiHandler<16> = (deps) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  groups: deps.coordinator.listGroups().map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })),
});
