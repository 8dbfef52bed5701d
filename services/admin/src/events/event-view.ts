// The JSON shape of GET /v1/events/:event_id: the event (payload as base64, and parsed when it is UTF-8
// JSON), then one entry per processor with its delivery state and every attempt, oldest first, and for
// a repeat event its chain (next occurrence, or when and why it was cancelled).
import type { AttemptRecord, DeliveryRecord, EventHistory, RepeatChainRecord } from '@eventyard/db';

export interface EventView {
  event: Record<string, unknown>;
  /** Earliest pending timer of the event (a delay, a retry, a delay-process wait), or null. */
  next_due_at: Date | null;
  deliveries: Array<Record<string, unknown>>;
}

export function eventView(history: EventHistory, nextDueAt: Date | null, chains: readonly RepeatChainRecord[] = [], nowMs = Date.now()): EventView {
  const chainOf = new Map(chains.map((chain) => [chain.dispatcher_id, chain]));
  const chainsDue = chains.map((chain) => chain.next_due_at).reduce<Date | null>((a, b) => earliest(a, b), null);
  const { event } = history;
  const payload = event.payload;
  return {
    event: {
      event_id: String(event.event_id),
      app_id: event.app_id,
      topic_id: event.topic_id,
      status: event.status,
      // Why: set for `rejected` (what a stage refused; the record is on eventyard.dead).
      status_reason: event.status_reason ?? null,
      source: event.source,
      broadcast: event.broadcast,
      trigger_type: event.trigger_type,
      trigger: event.trigger,
      event_comm: event.event_comm,
      ordering_key: event.ordering_key,
      // The W3C trace id of the event's trace (Report → router → dispatcher → consumer); null for events
      // recorded before traces were kept. Look it up in the tracing backend the OTEL_* variables export to.
      trace_id: event.trace_id ?? null,
      payload: {
        size: event.payload_size,
        /** null once retention pruned it (pruned_at says when). */
        base64: payload === null ? null : payload.toString('base64'),
        ...jsonOf(payload),
        pruned_at: event.payload_pruned_at,
      },
      created_at: event.created_at,
      recorded_at: event.recorded_at,
      updated_at: event.updated_at,
    },
    // The router's next_due_at only counts while still ahead (its timer may be in flight); once past, the
    // timers and the chains say what comes next.
    next_due_at: earliest(earliest(nextDueAt, chainsDue), event.next_due_at !== null && event.next_due_at.getTime() > nowMs ? event.next_due_at : null),
    deliveries: history.deliveries.map((delivery) => deliveryView(delivery, delivery.attempts, chainOf.get(delivery.dispatcher_id))),
  };
}

/** One processor's delivery with its attempts (also the rows of GET /v1/deliveries). */
export function deliveryView(delivery: DeliveryRecord, attempts: readonly AttemptRecord[], chain: RepeatChainRecord | undefined): Record<string, unknown> {
  const last = attempts.at(-1);
  return {
    dispatcher_id: delivery.dispatcher_id,
    status: delivery.status,
    attempt_count: delivery.attempt_count,
    retry_times: delivery.retry_times,
    repeat_times: delivery.repeat_times,
    /** `auto` (routing / retry policy) or `manual` (replay, redrive) of the latest attempt; null before any. */
    retry_source: last?.trigger ?? null,
    /** The next attempt (a retry, a delay) or, for a repeat event, the next occurrence. */
    next_due_at: delivery.next_attempt_at ?? chain?.next_due_at ?? null,
    ...(chain === undefined
      ? {}
      : {
          repeat: {
            next_repeat_times: chain.next_repeat_times,
            next_due_at: chain.next_due_at,
            cancelled_at: chain.cancelled_at,
            cancel_reason: chain.cancel_reason,
          },
        }),
    last_error_code: delivery.last_error_code,
    last_error: delivery.last_error,
    pass_back: delivery.pass_back === null ? null : delivery.pass_back.toString('base64'),
    created_at: delivery.created_at,
    updated_at: delivery.updated_at,
    finished_at: delivery.finished_at,
    attempts: attempts.map((attempt) => ({
      attempt_no: attempt.attempt_no,
      retry_source: attempt.trigger,
      retry_times: attempt.retry_times,
      repeat_times: attempt.repeat_times,
      started_at: attempt.started_at,
      finished_at: attempt.finished_at,
      latency_ms: attempt.latency_ms,
      outcome: attempt.outcome,
      error_code: attempt.error_code,
      error_message: attempt.error_message,
      response_status: attempt.response_status,
      ret_code: attempt.ret_code,
      response_excerpt: attempt.response_excerpt,
    })),
  };
}

/** `{ json }` when the payload is valid UTF-8 holding valid JSON, else nothing. */
function jsonOf(payload: Buffer | null): { json?: unknown } {
  if (payload === null || payload.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return {};
  }
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return {};
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
