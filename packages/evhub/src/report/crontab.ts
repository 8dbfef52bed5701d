// Crontab checks at Report time, so a repeat event with a bad schedule is refused with a clear 10000
// instead of stalling a chain later. The rules (5/6 fields, descriptors, `@every`, `CRON_TZ=`) live in
// @eventyard/core's crontab module, shared with the router and dispatcher that run the chains.
import { parseCrontab as parseCrontabRules, type ParsedCrontab } from '@eventyard/core';
import { invalidField } from './invalid-field.ts';

export { parseGoDuration, type ParsedCrontab } from '@eventyard/core';

/** Parses and checks a crontab, throwing a 10000 error naming `field` with what is wrong. */
export function parseCrontab(spec: string, field: string): ParsedCrontab {
  const result = parseCrontabRules(spec);
  if (!result.ok) throw invalidField(field, result.problem);
  return result.crontab;
}
