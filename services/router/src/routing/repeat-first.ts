// Repeat events (EVENT_TRIGGER_TYPE_REPEAT): the router only starts each processor's chain, by
// scheduling occurrence 0 at its due time; the dispatcher schedules occurrence n+1 as it hands
// occurrence n to the consumer. The due-time rules are @eventyard/core's (crontab.ts).
import { firstOccurrenceMs, repeatPlanOf } from '@eventyard/core';
import { EventTriggerType, type EventTrigger__Output } from '@eventyard/proto';

/**
 * For a schedulable repeat trigger, the due time of occurrence 0 (undefined when the chain has no
 * occurrence at all, e.g. its end_time is already past); undefined for anything else, including a
 * repeat trigger that cannot be scheduled (the producer refuses those at Report time).
 * `reportedMs` is the begin when `begin_time` is absent, zero or past.
 */
export function repeatFirstDue(trigger: EventTrigger__Output | null, reportedMs: number): { dueMs: number | undefined } | undefined {
  if (trigger === null || Number(trigger.trigger_type) !== EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT) return undefined;
  if (trigger.repeat_trigger === null) return undefined;
  const plan = repeatPlanOf(trigger.repeat_trigger, reportedMs);
  if (!plan.ok) return undefined;
  return { dueMs: firstOccurrenceMs(plan.plan) };
}
