// Turns an accepted Report into the one Kafka record that carries it: an IngestEnvelope on
// eventyard.ingest, or, for a delay event, a ScheduleItem on eventyard.schedule that the delay-scheduler
// turns back into that same ingest record when it is due (timer id `delay:<event_id>`).
import { Topics, withTraceParent } from '@eventyard/core';
import { encodeMessage, type IngestEnvelope } from '@eventyard/proto';
import { timestampOf } from './proto-time.ts';
import type { ValidReport } from './validate-report.ts';

export const EVENT_ID_HEADER = 'ey-event-id';
/**
 * On every record for eventyard.schedule that a Report causes (its delay, a repeat's occurrences, its
 * delay-process entries): the delay-scheduler stores it with the timer, and the producer counts pending
 * timers per app by it (EY_MAX_PENDING_TIMERS_PER_APP). Same name as @eventyard/db's SCHEDULE_APP_ID_HEADER.
 */
export const APP_ID_HEADER = 'ey-app-id';

export interface OutgoingRecord {
  topic: string;
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}

export interface BuildRecordOptions {
  eventId: string;
  /** When the Report was accepted, epoch ms. */
  nowMs: number;
  /** W3C traceparent of the call, when the caller sent one. */
  traceParent?: string;
  /** An authorised broadcast: the router sends it to every active processor of the topic. */
  broadcast?: boolean;
  /** The API key the Report was authorised with. */
  apiKeyId?: string;
}

export function buildReportRecord(report: ValidReport, options: BuildRecordOptions): OutgoingRecord {
  const { request } = report;
  const envelope: IngestEnvelope = {
    event_id: options.eventId,
    event: request.event,
    trigger: request.trigger,
    option: request.option,
    reported_at: timestampOf(options.nowMs),
    trace_parent: options.traceParent ?? '',
    broadcast: options.broadcast === true,
    api_key_id: options.apiKeyId ?? '',
  };
  const key = Buffer.from(report.orderingKey === '' ? options.eventId : report.orderingKey, 'utf8');
  const value = encodeMessage('eventyard.v1.IngestEnvelope', envelope);
  // The traceparent travels in the record's header (what the next step reads) and in the envelope.
  const headers = withTraceParent({ [EVENT_ID_HEADER]: options.eventId }, options.traceParent);
  if (report.delayMs <= 0) return { topic: Topics.ingest, key, value, headers };
  const timerId = `delay:${options.eventId}`;
  const item = encodeMessage('eventyard.v1.ScheduleItem', {
    timer_id: timerId,
    due_at: timestampOf(options.nowMs + report.delayMs),
    target_topic: Topics.ingest,
    key,
    value,
    kind: 'delay',
  });
  return { topic: Topics.schedule, key: Buffer.from(timerId, 'utf8'), value: item, headers: { ...headers, [APP_ID_HEADER]: request.event.app_id } };
}
