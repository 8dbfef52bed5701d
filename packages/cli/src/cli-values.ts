// Flag values the commands share (counts, durations, times), each refused with a one-line message that
// names the flag, before anything is sent.
import { EventyardError, isRealCalendarDay } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';

export function usageError(message: string): EventyardError {
  return new EventyardError(CliErrors.EY_CLI_USAGE, `eventyard: ${message}`);
}

/** A positive integer, at most `max`. */
export function parseLimit(value: string, flag: string, max = 1_000_000): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw usageError(`${flag} must be an integer from 1 to ${max}, got "${value}"`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500ms`, `5s`, `2m`, `1h`, `7d` (or a bare number of seconds) in milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (match === null) throw usageError(`${flag} must be a duration such as 500ms, 5s, 2m, 1h or 7d, got "${value}"`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000));
}

/** An ISO 8601 time, or a duration meaning that long ago (`--since 1h`); returned as ISO 8601. */
export function parseTime(value: string, flag: string, nowMs = Date.now()): string {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d)$/.test(value.trim())) return new Date(nowMs - parseDuration(value, flag)).toISOString();
  const ms = Date.parse(value);
  // isRealCalendarDay: Date.parse would roll 2026-02-30 into March and send a window nobody asked for.
  if (!isRealCalendarDay(value) || Number.isNaN(ms))
    throw usageError(`${flag} must be an ISO 8601 time (2026-01-31T12:00:00Z) or an age such as 1h, got "${value}"`);
  return new Date(ms).toISOString();
}

/** commander collector for repeatable flags (`--tag a --tag b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Like collect, and `a,b` counts as two values. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

/** An ISO 8601 time, or a duration meaning that long from now (`--expires-at 30d`). */
export function parseFutureTime(value: string, flag: string, nowMs = Date.now()): string {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d)$/.test(value.trim())) return new Date(nowMs + parseDuration(value, flag)).toISOString();
  return parseTime(value, flag, nowMs);
}
