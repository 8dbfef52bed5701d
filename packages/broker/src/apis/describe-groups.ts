// DescribeGroups (v0-2): state, protocol and members; metadata and assignments only once Stable.
import type { ApiHandler } from './context.ts';

export const handleDescribeGroups: ApiHandler<15> = (deps, body) => ({
  throttleTimeMs: 0,
  groups: body.groups.map((groupId) => deps.coordinator.describeGroup(groupId)),
});
