// Crontab checks at Report time, so a repeat event with a bad schedule is refused with a clear 10000
// instead of stalling a chain later. Accepted (see evhub-contract.md): standard 5-field cron (minutes),
// 6-field with seconds first, descriptors (@yearly @monthly @weekly @daily @midnight @hourly),
// `@every <Go duration>` (robfig/cron, which EvHub used), and a `CRON_TZ=<IANA zone> ` or `TZ=` prefix.
// Field parsing is croner's (pinned in package.json).
import { Cron } from 'croner';
import { invalidField } from './invalid-field.ts';

export type ParsedCrontab =
  | { kind: 'every'; intervalMs: number; timezone: string | undefined }
  | { kind: 'cron'; pattern: string; timezone: string | undefined };

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Milliseconds of a Go `time.ParseDuration` string without sign ("1h30m", "1.5s"), or undefined. */
export function parseGoDuration(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  for (const match of text.matchAll(GO_DURATION_PART)) ms += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return ms;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses and checks a crontab, throwing a 10000 error naming `field` when it is malformed, uses an
 * unknown time zone, has an `@every` under one second, or can never fire (e.g. `0 0 30 2 *`).
 */
export function parseCrontab(spec: string, field: string): ParsedCrontab {
  let rest = spec.trim();
  if (rest === '') throw invalidField(field, 'is required for EVENT_PULSER_TYPE_BY_CRONTAB');
  let timezone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(rest);
  if (tz !== null) {
    timezone = tz[1] ?? '';
    rest = (tz[2] ?? '').trim();
    if (!isTimeZone(timezone)) throw invalidField(field, `names an unknown time zone "${timezone}"`);
  }
  if (rest.startsWith('@every')) {
    const text = rest.slice('@every'.length).trim();
    const intervalMs = parseGoDuration(text);
    if (intervalMs === undefined) throw invalidField(field, `has an invalid @every duration "${text}" (expected e.g. 90s, 5m, 1h30m)`);
    if (intervalMs < 1000) throw invalidField(field, 'has an @every interval under 1s');
    return { kind: 'every', intervalMs, timezone };
  }
  let cron: Cron;
  try {
    cron = new Cron(rest, { mode: '5-or-6-parts', paused: true, ...(timezone === undefined ? {} : { timezone }) });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    throw invalidField(field, `is not a valid crontab: ${reason}`);
  }
  try {
    if (cron.nextRun() === null) throw invalidField(field, 'never fires');
  } finally {
    cron.stop();
  }
  return { kind: 'cron', pattern: rest, timezone };
}
