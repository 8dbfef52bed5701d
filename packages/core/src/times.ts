// Timestamps given by people (API bodies, query strings, CLI flags), read strictly: JavaScript's Date
// accepts far more than RFC 3339 and silently rolls a day that does not exist (2026-02-30) into the
// next month, which would move a replay window or a key's expiry without telling anyone.

/** RFC 3339 date-time with a zone; a space may stand for the `T`, as RFC 3339 allows. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether the day a `YYYY-MM-DD…` string starts with exists. */
export function isRealCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** The instant an RFC 3339 date-time with a zone names, or undefined when it is not one (or names no real day). */
export function parseRfc3339(value: string): Date | undefined {
  if (!RFC3339.test(value) || !isRealCalendarDay(value)) return undefined;
  const date = new Date(value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
