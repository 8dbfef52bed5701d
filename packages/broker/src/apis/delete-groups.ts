// DeleteGroups (v0-1): empty groups only (NON_EMPTY_GROUP otherwise); their committed offsets go too.
import type { ApiHandler } from './context.ts';

export const handleDeleteGroups: ApiHandler<42> = async (deps, body) => ({
  throttleTimeMs: 0,
  results: await deps.coordinator.deleteGroups(body.groupsNames),
});
