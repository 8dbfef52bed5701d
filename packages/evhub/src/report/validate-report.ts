// Report validation: every rule that makes a Report unroutable is checked here, before anything is
// published, and fails with a 10000 error naming the field (evhub-contract.md, "defects we fix"). The
// result tells the publish path where the event goes (ingest now, or the schedule topic after a delay).
import { estimateMessageBytes, findUnstorableText, ROUTING_HEADROOM_BYTES } from '@eventyard/core';
import { EventPulserType, EventRepeatEndType, EventTriggerType, type EventTrigger__Output, type ReportReq__Output } from '@eventyard/proto';
import { parseCrontab } from './crontab.ts';
import { invalidField } from './invalid-field.ts';
import { durationMs, formatMs, timestampMs } from './proto-time.ts';

/** Longest delay (delay events and delay-process entries) and idempotency window: 30 days. */
export const MAX_DELAY_MS = 30 * 24 * 3600 * 1000;
/** Shortest repeat interval: anything faster is a loop, not a schedule. */
export const MIN_REPEAT_INTERVAL_MS = 1000;
const MAX_ID_LENGTH = 255;
const MAX_KEY_LENGTH = 1024;

export interface ValidationLimits {
  /** Largest `event.data`, bytes (EY_MAX_EVENT_BYTES). */
  maxEventBytes: number;
  /** Window when `idempotent_time` is absent or zero. */
  idempotencyDefaultWindowMs: number;
  /** Largest Kafka record any stage may produce for the event (EY_KAFKA_MAX_BATCH_BYTES); absent = unchecked. */
  maxRecordBytes?: number;
}

export interface ValidReport {
  request: ReportReq__Output & { event: NonNullable<ReportReq__Output['event']> };
  /** > 0: a delay event, published to the schedule topic and released to ingest after this many ms. */
  delayMs: number;
  /** Kafka key: `option.orderingKey`, or empty for "use the event id". */
  orderingKey: string;
  idempotency: { key: string; windowMs: number } | null;
}

const KNOWN_TRIGGER_TYPES = new Set<number>(Object.values(EventTriggerType));

/** Checks a Report; throws a ValidationError (10000) naming the first bad field. */
export function validateReport(request: ReportReq__Output, limits: ValidationLimits): ValidReport {
  const event = request.event;
  if (event === null || event === undefined) throw invalidField('event', 'is required');
  requiredId(event.app_id, 'event.app_id');
  requiredId(event.topic_id, 'event.topic_id');
  const dataBytes = event.data?.length ?? 0;
  if (dataBytes > limits.maxEventBytes) {
    throw invalidField('event.data', `is ${dataBytes} bytes, over the limit of ${limits.maxEventBytes} bytes (EY_MAX_EVENT_BYTES)`);
  }

  const delayMs = request.trigger === null || request.trigger === undefined ? 0 : validateTrigger(request.trigger);
  // What the router, the scheduler or Postgres would refuse later is refused now (one shared rule).
  const carried = { event, trigger: request.trigger ?? null, option: request.option ?? null };
  const unstorable = findUnstorableText(carried, '');
  if (unstorable !== null) throw invalidField(unstorable.field, unstorable.problem);
  if (limits.maxRecordBytes !== undefined) {
    const bytes = estimateMessageBytes(carried) + ROUTING_HEADROOM_BYTES;
    if (bytes > limits.maxRecordBytes)
      throw invalidField(
        'event',
        `would make Kafka records of about ${bytes} bytes, over the limit of ${limits.maxRecordBytes} bytes (EY_KAFKA_MAX_BATCH_BYTES)`,
      );
  }

  const option = request.option;
  const orderingKey = option?.orderingKey ?? '';
  if (orderingKey.length > MAX_KEY_LENGTH) throw invalidField('option.orderingKey', `must be at most ${MAX_KEY_LENGTH} characters`);
  let idempotency: ValidReport['idempotency'] = null;
  if (option?.idempotent !== null && option?.idempotent !== undefined) {
    const { key, idempotent_time: time } = option.idempotent;
    if (key.trim() === '') throw invalidField('option.idempotent.key', 'is required when option.idempotent is set');
    if (key.length > MAX_KEY_LENGTH) throw invalidField('option.idempotent.key', `must be at most ${MAX_KEY_LENGTH} characters`);
    const windowMs = time === null ? 0 : boundedDuration(durationMs(time, 'option.idempotent.idempotent_time'), 'option.idempotent.idempotent_time');
    idempotency = { key, windowMs: windowMs === 0 ? limits.idempotencyDefaultWindowMs : Math.ceil(windowMs) };
  }
  return { request: { ...request, event }, delayMs, orderingKey, idempotency };
}

function requiredId(value: string, field: string): void {
  if (value.trim() === '') throw invalidField(field, 'is required');
  if (value.length > MAX_ID_LENGTH) throw invalidField(field, `must be at most ${MAX_ID_LENGTH} characters`);
}

/** A duration that must be within [0, 30 days]. */
function boundedDuration(ms: number, field: string): number {
  if (ms < 0) throw invalidField(field, 'must not be negative');
  if (ms > MAX_DELAY_MS) throw invalidField(field, `must be at most 30 days (${formatMs(MAX_DELAY_MS)})`);
  return ms;
}

/** Returns the delay of a delay event (0 for everything published at once). */
function validateTrigger(trigger: EventTrigger__Output): number {
  // proto3 enums are open: a value this build does not know arrives as a plain number.
  const type = Number(trigger.trigger_type);
  if (!KNOWN_TRIGGER_TYPES.has(type)) {
    throw invalidField('trigger.trigger_type', `${String(trigger.trigger_type)} is not a known EventTriggerType (0-4)`);
  }
  switch (type) {
    case EventTriggerType.EVENT_TRIGGER_TYPE_DELAY: {
      const delay = trigger.delay_trigger?.delay_time;
      if (delay === null || delay === undefined) throw invalidField('trigger.delay_trigger.delay_time', 'is required for EVENT_TRIGGER_TYPE_DELAY');
      return boundedDuration(durationMs(delay, 'trigger.delay_trigger.delay_time'), 'trigger.delay_trigger.delay_time');
    }
    case EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT:
      validateRepeat(trigger);
      return 0;
    case EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS:
      trigger.delay_process_trigger_list.forEach((entry, index) => {
        const field = `trigger.delay_process_trigger_list[${index}]`;
        if (entry.key.trim() === '') throw invalidField(`${field}.key`, 'is required');
        if (entry.delay_time === null) throw invalidField(`${field}.delay_time`, 'is required');
        boundedDuration(durationMs(entry.delay_time, `${field}.delay_time`), `${field}.delay_time`);
      });
      return 0;
    default:
      return 0;
  }
}

function validateRepeat(trigger: EventTrigger__Output): void {
  const repeat = trigger.repeat_trigger;
  if (repeat === null) throw invalidField('trigger.repeat_trigger', 'is required for EVENT_TRIGGER_TYPE_REPEAT');
  const beginMs = repeat.begin_time === null ? undefined : timestampMs(repeat.begin_time, 'trigger.repeat_trigger.begin_time');

  const endType = Number(repeat.end_type);
  if (endType === EventRepeatEndType.EVENT_REPEAT_END_TYPE_INVALID) {
    throw invalidField('trigger.repeat_trigger.end_type', 'is required (1 = END_BY_TIMESTAMP, 2 = END_BY_COUNT)');
  }
  if (endType === EventRepeatEndType.EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP) {
    const end = repeat.repeat_end?.end_time;
    if (end === null || end === undefined) throw invalidField('trigger.repeat_trigger.repeat_end.end_time', 'is required for END_BY_TIMESTAMP');
    const endMs = timestampMs(end, 'trigger.repeat_trigger.repeat_end.end_time');
    if (endMs <= (beginMs ?? Date.now())) throw invalidField('trigger.repeat_trigger.repeat_end.end_time', 'must be after begin_time (or now)');
  } else if (endType !== EventRepeatEndType.EVENT_REPEAT_END_TYPE_END_BY_COUNT) {
    throw invalidField('trigger.repeat_trigger.end_type', `${String(repeat.end_type)} is not a known EventRepeatEndType (1-2)`);
  }

  const pulser = Number(repeat.pulser_type);
  if (pulser === EventPulserType.EVENT_PULSER_TYPE_BY_INTERVAL) {
    const interval = repeat.regular_pulser?.interval;
    if (interval === null || interval === undefined)
      throw invalidField('trigger.repeat_trigger.regular_pulser.interval', 'is required for EVENT_PULSER_TYPE_BY_INTERVAL');
    const ms = durationMs(interval, 'trigger.repeat_trigger.regular_pulser.interval');
    if (ms < MIN_REPEAT_INTERVAL_MS)
      throw invalidField('trigger.repeat_trigger.regular_pulser.interval', `must be at least ${formatMs(MIN_REPEAT_INTERVAL_MS)}`);
  } else if (pulser === EventPulserType.EVENT_PULSER_TYPE_BY_CRONTAB) {
    const crontab = repeat.crontab_pulser?.crontab ?? '';
    parseCrontab(crontab, 'trigger.repeat_trigger.crontab_pulser.crontab');
  } else if (pulser === EventPulserType.EVENT_PULSER_TYPE_INVALID) {
    throw invalidField('trigger.repeat_trigger.pulser_type', 'is required (1 = BY_INTERVAL, 2 = BY_CRONTAB)');
  } else {
    throw invalidField('trigger.repeat_trigger.pulser_type', `${String(repeat.pulser_type)} is not a known EventPulserType (1-2)`);
  }
}
