// Delay-process events (EVENT_TRIGGER_TYPE_DELAY_PROCESS): the event fans out at once, but a processor
// whose `delay_process_key` equals an entry's `key` gets its delivery after that entry's `delay_time`.
// A processor matching no entry gets it at once (EvHub dropped it: a deliberate difference).
import { EventTriggerType, type Duration__Output, type EventTrigger__Output } from '@eventyard/proto';

/** Longest delay honoured (10 years), so a due time always stays a valid Timestamp. */
export const MAX_DELAY_PROCESS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * The delay in milliseconds for a processor with `delayProcessKey`, or 0 for "at once": when the
 * event is not a delay-process event, the key is empty, no entry has that key, or the entry's
 * `delay_time` is absent, zero or negative. The first entry with the key wins.
 */
export function delayProcessMs(trigger: EventTrigger__Output | null, delayProcessKey: string): number {
  if (trigger === null || Number(trigger.trigger_type) !== EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS) return 0;
  if (delayProcessKey === '') return 0;
  const entry = trigger.delay_process_trigger_list.find((e) => e.key === delayProcessKey);
  if (entry === undefined || entry.delay_time === null) return 0;
  const ms = durationMs(entry.delay_time);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_DELAY_PROCESS_MS) : 0;
}

function durationMs(duration: Duration__Output): number {
  return Number(duration.seconds) * 1000 + Math.trunc(Number(duration.nanos) / 1_000_000);
}
