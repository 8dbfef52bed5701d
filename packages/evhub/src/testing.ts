// `@eventyard/evhub/testing`: Reports that must be refused with 10000, and the exact message each gets.
// Shared by the unit test of validateReport and the producer's gRPC/HTTP tests, so every edge is held to
// the same messages. For tests only.
import type { EventRepeatTrigger, ReportReq } from '@eventyard/proto';

export interface InvalidReportCase {
  name: string;
  request: ReportReq;
  msg: string;
}

const event = { app_id: 'shop', topic_id: 'order', data: Buffer.from('{}') };
const repeatBase: EventRepeatTrigger = {
  begin_time: { seconds: 1_900_000_000 },
  end_type: 2,
  repeat_end: { repeat_times: 3 },
  pulser_type: 1,
  regular_pulser: { interval: { seconds: 60 } },
};

export const INVALID_REPORTS: InvalidReportCase[] = [
  { name: 'null event', request: {}, msg: 'event is required' },
  { name: 'empty app_id', request: { event: { ...event, app_id: '' } }, msg: 'event.app_id is required' },
  { name: 'blank topic_id', request: { event: { ...event, topic_id: '  ' } }, msg: 'event.topic_id is required' },
  { name: 'app_id too long', request: { event: { ...event, app_id: 'a'.repeat(256) } }, msg: 'event.app_id must be at most 255 characters' },
  {
    name: 'unknown trigger_type',
    request: { event, trigger: { trigger_type: 99 as 1 } },
    msg: 'trigger.trigger_type 99 is not a known EventTriggerType (0-4)',
  },
  {
    name: 'DELAY without delay_trigger',
    request: { event, trigger: { trigger_type: 2 } },
    msg: 'trigger.delay_trigger.delay_time is required for EVENT_TRIGGER_TYPE_DELAY',
  },
  {
    name: 'DELAY without delay_time',
    request: { event, trigger: { trigger_type: 2, delay_trigger: {} } },
    msg: 'trigger.delay_trigger.delay_time is required for EVENT_TRIGGER_TYPE_DELAY',
  },
  {
    name: 'negative delay',
    request: { event, trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: -5 } } } },
    msg: 'trigger.delay_trigger.delay_time must not be negative',
  },
  {
    name: 'delay over 30 days',
    request: { event, trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 30 * 86400 + 1 } } } },
    msg: 'trigger.delay_trigger.delay_time must be at most 30 days (2592000s)',
  },
  {
    name: 'duration with mixed signs',
    request: { event, trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 5, nanos: -1 } } } },
    msg: 'trigger.delay_trigger.delay_time has seconds and nanos of different signs',
  },
  {
    name: 'REPEAT without repeat_trigger',
    request: { event, trigger: { trigger_type: 3 } },
    msg: 'trigger.repeat_trigger is required for EVENT_TRIGGER_TYPE_REPEAT',
  },
  {
    name: 'REPEAT with end_type 0',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, end_type: 0 } } },
    msg: 'trigger.repeat_trigger.end_type is required (1 = END_BY_TIMESTAMP, 2 = END_BY_COUNT)',
  },
  {
    name: 'REPEAT with unknown end_type',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, end_type: 7 as 1 } } },
    msg: 'trigger.repeat_trigger.end_type 7 is not a known EventRepeatEndType (1-2)',
  },
  {
    name: 'REPEAT by timestamp without end_time',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, end_type: 1, repeat_end: {} } } },
    msg: 'trigger.repeat_trigger.repeat_end.end_time is required for END_BY_TIMESTAMP',
  },
  {
    name: 'REPEAT ending before it begins',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, end_type: 1, repeat_end: { end_time: { seconds: 1_800_000_000 } } } } },
    msg: 'trigger.repeat_trigger.repeat_end.end_time must be after begin_time (or now)',
  },
  {
    name: 'REPEAT without a pulser',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, pulser_type: 0 } } },
    msg: 'trigger.repeat_trigger.pulser_type is required (1 = BY_INTERVAL, 2 = BY_CRONTAB)',
  },
  {
    name: 'REPEAT by interval without regular_pulser',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, regular_pulser: null } } },
    msg: 'trigger.repeat_trigger.regular_pulser.interval is required for EVENT_PULSER_TYPE_BY_INTERVAL',
  },
  {
    name: 'REPEAT with a sub-second interval',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, regular_pulser: { interval: { nanos: 5_000_000 } } } } },
    msg: 'trigger.repeat_trigger.regular_pulser.interval must be at least 1s',
  },
  {
    name: 'REPEAT with a bad crontab',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, pulser_type: 2, crontab_pulser: { crontab: '61 * * * *' } } } },
    msg: 'trigger.repeat_trigger.crontab_pulser.crontab is not a valid crontab: Invalid value for minute: 61',
  },
  {
    name: 'REPEAT with a crontab that never fires',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, pulser_type: 2, crontab_pulser: { crontab: '0 0 30 2 *' } } } },
    msg: 'trigger.repeat_trigger.crontab_pulser.crontab never fires',
  },
  {
    name: 'REPEAT by crontab without one',
    request: { event, trigger: { trigger_type: 3, repeat_trigger: { ...repeatBase, pulser_type: 2 } } },
    msg: 'trigger.repeat_trigger.crontab_pulser.crontab is required for EVENT_PULSER_TYPE_BY_CRONTAB',
  },
  {
    name: 'DELAY_PROCESS entry without key',
    request: { event, trigger: { trigger_type: 4, delay_process_trigger_list: [{ key: 'a', delay_time: { seconds: 1 } }, { delay_time: { seconds: 1 } }] } },
    msg: 'trigger.delay_process_trigger_list[1].key is required',
  },
  {
    name: 'DELAY_PROCESS entry with a negative delay',
    request: { event, trigger: { trigger_type: 4, delay_process_trigger_list: [{ key: 'a', delay_time: { seconds: -1 } }] } },
    msg: 'trigger.delay_process_trigger_list[0].delay_time must not be negative',
  },
  {
    name: 'idempotent without key',
    request: { event, option: { idempotent: { idempotent_time: { seconds: 60 } } } },
    msg: 'option.idempotent.key is required when option.idempotent is set',
  },
  {
    name: 'idempotent window over 30 days',
    request: { event, option: { idempotent: { key: 'k', idempotent_time: { seconds: 31 * 86400 } } } },
    msg: 'option.idempotent.idempotent_time must be at most 30 days (2592000s)',
  },
  // What a later stage would refuse (Postgres text and jsonb columns) is refused here, by the same rule
  // the router and the delay-scheduler apply (packages/core storable-text.ts).
  {
    name: 'NUL in app_id',
    request: { event: { ...event, app_id: 'sh\u0000op' } },
    msg: 'event.app_id contains a NUL character (U+0000), which Postgres cannot store',
  },
  {
    name: 'NUL in topic_id',
    request: { event: { ...event, topic_id: 'or\u0000der' } },
    msg: 'event.topic_id contains a NUL character (U+0000), which Postgres cannot store',
  },
  {
    name: 'NUL in a tag',
    request: { event: { ...event, event_comm: { event_tag: { tag_list: ['ok', 'v\u0000ip'] } } } },
    msg: 'event.event_comm.event_tag.tag_list[1] contains a NUL character (U+0000), which Postgres cannot store',
  },
  {
    name: 'NUL in source',
    request: { event: { ...event, event_comm: { event_source: { source: 'web\u0000' } } } },
    msg: 'event.event_comm.event_source.source contains a NUL character (U+0000), which Postgres cannot store',
  },
  {
    name: 'NUL in orderingKey',
    request: { event, option: { orderingKey: 'k\u0000' } },
    msg: 'option.orderingKey contains a NUL character (U+0000), which Postgres cannot store',
  },
  {
    name: 'NUL in a delay-process key',
    request: { event, trigger: { trigger_type: 4, delay_process_trigger_list: [{ key: 'a\u0000', delay_time: { seconds: 1 } }] } },
    msg: 'trigger.delay_process_trigger_list[0].key contains a NUL character (U+0000), which Postgres cannot store',
  },
];
