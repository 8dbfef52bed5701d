// Repeat events (EVENT_TRIGGER_TYPE_REPEAT): each processor runs its own chain. The router schedules
// occurrence 0; the dispatcher, handing occurrence n to the consumer for its first attempt, works out
// occurrence n+1 from n's due time (`scheduled_for`), so late firing never makes the chain drift.
import { nextOccurrenceMs, repeatPlanOf, type RepeatPlan } from '@eventyard/core';
import { EventTriggerType, type DeliveryTask__Output } from '@eventyard/proto';

export interface RepeatOccurrence {
  plan: RepeatPlan;
  /** `repeat_times` of this occurrence (0-based). */
  n: number;
  /** When this occurrence was due. */
  dueMs: number;
}

/**
 * The occurrence a task is, or undefined when it is not part of a chain: not a repeat event, a repeat
 * trigger that cannot be scheduled (routed once, as real-time), or a manual replay (which never
 * extends or consults the chain).
 */
export function repeatOccurrenceOf(task: DeliveryTask__Output, nowMs: number): RepeatOccurrence | undefined {
  const trigger = task.trigger;
  if (trigger === null || Number(trigger.trigger_type) !== EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT) return undefined;
  if (trigger.repeat_trigger === null || task.trigger_source === 'manual') return undefined;
  const plan = repeatPlanOf(trigger.repeat_trigger, nowMs);
  if (!plan.ok) return undefined;
  const scheduled = task.scheduled_for;
  const dueMs = scheduled === null ? nowMs : Number(scheduled.seconds) * 1000 + Math.floor(scheduled.nanos / 1e6);
  return { plan: plan.plan, n: task.repeat_times, dueMs: Number.isFinite(dueMs) ? dueMs : nowMs };
}

/** Due time of the occurrence after `occurrence`, or undefined when the chain ends with it. */
export function nextOccurrenceDue(occurrence: RepeatOccurrence): number | undefined {
  return nextOccurrenceMs(occurrence.plan, occurrence.n, occurrence.dueMs);
}

/** The timer id of occurrence `n` of a processor's chain: deterministic, so it is scheduled once. */
export function repeatTimerId(eventId: string, dispatcherId: string, n: number): string {
  return `rep:${eventId}:${dispatcherId}:${n}`;
}
