// Repeat-event schedules (EVENT_TRIGGER_TYPE_REPEAT), shared by the router (occurrence 0) and the
// dispatcher (occurrence n+1): crontab parsing as the producer accepts it, and the pure due-time maths.
// Crontabs: standard 5-field (minutes), 6-field with seconds first, descriptors (@hourly, @daily…),
// `@every <Go duration>` (robfig/cron, which EvHub used), and a `CRON_TZ=<zone> ` / `TZ=` prefix.
// Field parsing is croner's. Nothing here throws on bad input: callers decide how to report it.
import { Cron } from 'croner';

export type ParsedCrontab =
  { kind: 'every'; intervalMs: number; timezone: string | undefined } | { kind: 'cron'; pattern: string; timezone: string | undefined };

export type CrontabResult = { ok: true; crontab: ParsedCrontab } | { ok: false; problem: string };

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
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
 * Parses a crontab; `problem` says what is wrong (phrased to follow a field name) when it is empty,
 * malformed, names an unknown time zone, has an `@every` under one second, or can never fire.
 */
export function parseCrontab(spec: string): CrontabResult {
  let rest = spec.trim();
  if (rest === '') return { ok: false, problem: 'is required for EVENT_PULSER_TYPE_BY_CRONTAB' };
  let timezone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(rest);
  if (tz !== null) {
    timezone = tz[1] ?? '';
    rest = (tz[2] ?? '').trim();
    if (!isTimeZone(timezone)) return { ok: false, problem: `names an unknown time zone "${timezone}"` };
  }
  if (rest.startsWith('@every')) {
    const text = rest.slice('@every'.length).trim();
    const intervalMs = parseGoDuration(text);
    if (intervalMs === undefined) return { ok: false, problem: `has an invalid @every duration "${text}" (expected e.g. 90s, 5m, 1h30m)` };
    if (intervalMs < 1000) return { ok: false, problem: 'has an @every interval under 1s' };
    return { ok: true, crontab: { kind: 'every', intervalMs, timezone } };
  }
  let cron: Cron;
  try {
    cron = croner(rest, timezone);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    return { ok: false, problem: `is not a valid crontab: ${reason}` };
  }
  try {
    if (cron.nextRun() === null) return { ok: false, problem: 'never fires' };
  } finally {
    cron.stop();
  }
  return { ok: true, crontab: { kind: 'cron', pattern: rest, timezone } };
}

function croner(pattern: string, timezone: string | undefined): Cron {
  return new Cron(pattern, { mode: '5-or-6-parts', paused: true, ...(timezone === undefined ? {} : { timezone }) });
}

/** When a repeat chain fires: every `intervalMs` from `beginMs` (no drift), or on a cron pattern. */
export type RepeatPulse = { kind: 'interval'; intervalMs: number } | { kind: 'cron'; pattern: string; timezone: string | undefined };

export interface RepeatPlan {
  /** Due time of the first occurrence is derived from this (interval: equal; cron: first time at or after). */
  beginMs: number;
  pulse: RepeatPulse;
  /** Total occurrences (0 = unbounded); with `endMs`, whichever ends first. */
  totalOccurrences: number;
  /** No occurrence is due after this instant (undefined = no end time). */
  endMs: number | undefined;
}

/** Shortest interval a repeat accepts, so a bad trigger cannot turn into a busy loop. */
export const MIN_REPEAT_INTERVAL_MS = 1000;

/** The fields of `evhub_comm.EventRepeatTrigger` the plan reads (structural, so core needs no proto). */
export interface RepeatTriggerLike {
  begin_time: TimestampLike | null;
  end_type: number | string;
  repeat_end: { repeat_times: number; end_time: TimestampLike | null } | null;
  pulser_type: number | string;
  regular_pulser: { interval: { seconds: string | number; nanos: number } | null } | null;
  crontab_pulser: { crontab: string } | null;
}

export interface TimestampLike {
  seconds: string | number;
  nanos: number;
}

export type RepeatPlanResult = { ok: true; plan: RepeatPlan } | { ok: false; problem: string };

const END_BY_TIMESTAMP = 1;
const END_BY_COUNT = 2;
const BY_INTERVAL = 1;
const BY_CRONTAB = 2;

/**
 * Reads a repeat trigger into a plan. `nowMs` is the begin when `begin_time` is absent, zero, or in
 * the past (a chain never replays occurrences missed before it was routed). Enum fields may be numbers
 * or their names (as protobufjs hands them out with `enums: String`).
 */
export function repeatPlanOf(trigger: RepeatTriggerLike, nowMs: number): RepeatPlanResult {
  const begin = msOf(trigger.begin_time);
  const beginMs = begin === undefined || begin < nowMs ? nowMs : begin;
  const endType = enumNumber(trigger.end_type, { EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP: END_BY_TIMESTAMP, EVENT_REPEAT_END_TYPE_END_BY_COUNT: END_BY_COUNT });
  let totalOccurrences = 0;
  let endMs: number | undefined;
  if (endType === END_BY_COUNT) totalOccurrences = trigger.repeat_end?.repeat_times ?? 0;
  else if (endType === END_BY_TIMESTAMP) {
    endMs = msOf(trigger.repeat_end?.end_time ?? null);
    if (endMs === undefined) return { ok: false, problem: 'repeat_end.end_time is required for EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP' };
  } else return { ok: false, problem: 'end_type must be END_BY_TIMESTAMP or END_BY_COUNT' };
  const pulserType = enumNumber(trigger.pulser_type, { EVENT_PULSER_TYPE_BY_INTERVAL: BY_INTERVAL, EVENT_PULSER_TYPE_BY_CRONTAB: BY_CRONTAB });
  let pulse: RepeatPulse;
  if (pulserType === BY_INTERVAL) {
    const interval = trigger.regular_pulser?.interval ?? null;
    const intervalMs = interval === null ? 0 : Number(interval.seconds) * 1000 + Math.trunc(interval.nanos / 1e6);
    if (!Number.isFinite(intervalMs) || intervalMs < MIN_REPEAT_INTERVAL_MS) return { ok: false, problem: 'regular_pulser.interval must be at least 1s' };
    pulse = { kind: 'interval', intervalMs };
  } else if (pulserType === BY_CRONTAB) {
    const parsed = parseCrontab(trigger.crontab_pulser?.crontab ?? '');
    if (!parsed.ok) return { ok: false, problem: `crontab_pulser.crontab ${parsed.problem}` };
    const { crontab } = parsed;
    pulse =
      crontab.kind === 'every' ? { kind: 'interval', intervalMs: crontab.intervalMs } : { kind: 'cron', pattern: crontab.pattern, timezone: crontab.timezone };
  } else return { ok: false, problem: 'pulser_type must be BY_INTERVAL or BY_CRONTAB' };
  return { ok: true, plan: { beginMs, pulse, totalOccurrences, endMs } };
}

/** Due time of occurrence 0, or undefined when the chain has no occurrence at all. */
export function firstOccurrenceMs(plan: RepeatPlan): number | undefined {
  const due = plan.pulse.kind === 'interval' ? plan.beginMs : nextCronMs(plan.pulse, plan.beginMs - 1);
  return withinEnd(plan, 0, due);
}

/**
 * Due time of occurrence `n + 1`, given occurrence `n` was due at `dueMs`; undefined when the chain
 * ends with occurrence n. Interval: `dueMs + interval` (= begin + (n+1)·interval when `dueMs` was
 * exact, so no drift however late n fired); cron: the first cron time strictly after `dueMs`.
 */
export function nextOccurrenceMs(plan: RepeatPlan, n: number, dueMs: number): number | undefined {
  const due = plan.pulse.kind === 'interval' ? dueMs + plan.pulse.intervalMs : nextCronMs(plan.pulse, dueMs);
  return withinEnd(plan, n + 1, due);
}

/** Due time of occurrence `n` (stepping from the first; for tests and previews). */
export function occurrenceMs(plan: RepeatPlan, n: number): number | undefined {
  let due = firstOccurrenceMs(plan);
  for (let i = 0; i < n && due !== undefined; i++) due = nextOccurrenceMs(plan, i, due);
  return due;
}

function withinEnd(plan: RepeatPlan, n: number, due: number | undefined): number | undefined {
  if (due === undefined) return undefined;
  if (plan.totalOccurrences > 0 && n >= plan.totalOccurrences) return undefined;
  if (plan.endMs !== undefined && due > plan.endMs) return undefined;
  return due;
}

/**
 * First cron time strictly after `afterMs`. Without a CRON_TZ/TZ prefix the pattern is read in UTC, not
 * the host's zone: the router (occurrence 0) and the dispatcher (the rest) may run in different zones.
 */
function nextCronMs(pulse: { pattern: string; timezone: string | undefined }, afterMs: number): number | undefined {
  const cron = croner(pulse.pattern, pulse.timezone ?? 'UTC');
  try {
    // croner answers "after" at whole-second resolution: ask from the start of afterMs's second, then
    // skip what is not strictly later.
    let from = new Date(Math.floor(afterMs / 1000) * 1000 - 1);
    for (let i = 0; i < 3; i++) {
      const next = cron.nextRun(from);
      if (next === null) return undefined;
      if (next.getTime() > afterMs) return next.getTime();
      from = next;
    }
    return undefined;
  } finally {
    cron.stop();
  }
}

function msOf(ts: TimestampLike | null): number | undefined {
  if (ts === null) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function enumNumber(value: number | string, names: Record<string, number>): number {
  return typeof value === 'number' ? value : (names[value] ?? Number(value));
}
