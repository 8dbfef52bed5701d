// The JSON shape of GET /v1/events/:event_id: the event (payload as base64, and parsed when it is UTF-8
// JSON), then one entry per processor with its delivery state and every attempt, oldest first.
import type { AttemptRecord, DeliveryRecord, EventHistory } from '@eventyard/db';

export interface EventView {
  event: Record<string, unknown>;
  /** Earliest pending timer of the event (a delay, a retry, a delay-process wait), or null. */
  next_due_at: Date | null;
  deliveries: Array<Record<string, unknown>>;
}

export function eventView(history: EventHistory, nextDueAt: Date | null): EventView {
  const { event } = history;
  const payload = event.payload;
  return {
    event: {
      event_id: String(event.event_id),
      app_id: event.app_id,
      topic_id: event.topic_id,
      status: event.status,
      source: event.source,
      broadcast: event.broadcast,
      trigger_type: event.trigger_type,
      trigger: event.trigger,
      event_comm: event.event_comm,
      ordering_key: event.ordering_key,
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
    next_due_at: earliest(nextDueAt, event.next_due_at),
    deliveries: history.deliveries.map((delivery) => deliveryView(delivery, delivery.attempts)),
  };
}

function deliveryView(delivery: DeliveryRecord, attempts: readonly AttemptRecord[]): Record<string, unknown> {
  const last = attempts.at(-1);
  return {
    dispatcher_id: delivery.dispatcher_id,
    status: delivery.status,
    attempt_count: delivery.attempt_count,
    retry_times: delivery.retry_times,
    repeat_times: delivery.repeat_times,
    /** `auto` (routing / retry policy) or `manual` (replay, redrive) of the latest attempt; null before any. */
    retry_source: last?.trigger ?? null,
    next_due_at: delivery.next_attempt_at,
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
