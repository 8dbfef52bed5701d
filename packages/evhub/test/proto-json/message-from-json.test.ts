// The HTTP mirror's JSON reader: EvHub's Go-struct JSON and proto3 canonical JSON of the same Report
// give the object a gRPC handler would receive for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, type EventTrigger, type ReportReq__Output } from '@eventyard/proto';
import { lowerCamel, messageFromJson } from '../../src/proto-json/message-from-json.ts';

const data = Buffer.from('{"order":42}');

const goJson = {
  event: {
    app_id: 'shop',
    topic_id: 'order',
    event_comm: { event_source: { source: 'web', create_time: { seconds: 1_714_564_800, nanos: 5000 } }, event_tag: { tag_list: ['vip', 'eu'] } },
    data: data.toString('base64'),
  },
  trigger: {
    trigger_type: 3,
    repeat_trigger: {
      begin_time: { seconds: 1_900_000_000 },
      end_type: 2,
      repeat_end: { repeat_times: 3 },
      pulser_type: 1,
      regular_pulser: { interval: { seconds: 90, nanos: 500_000_000 } },
    },
  },
  option: { idempotent: { key: 'once', idempotent_time: { seconds: 60 } }, orderingKey: 'customer-7' },
};

const proto3Json = {
  event: {
    appId: 'shop',
    topicId: 'order',
    eventComm: { eventSource: { source: 'web', createTime: '2024-05-01T12:00:00.000005Z' }, eventTag: { tagList: ['vip', 'eu'] } },
    data: data.toString('base64url'),
  },
  trigger: {
    triggerType: 'EVENT_TRIGGER_TYPE_REPEAT',
    repeatTrigger: {
      beginTime: '2030-03-17T17:46:40Z',
      endType: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
      repeatEnd: { repeatTimes: 3 },
      pulserType: 'EVENT_PULSER_TYPE_BY_INTERVAL',
      regularPulser: { interval: '90.5s' },
    },
  },
  option: { idempotent: { key: 'once', idempotentTime: '60s' }, orderingKey: 'customer-7' },
};

test('Go-struct JSON and proto3 JSON of one Report read the same, and as gRPC would decode it', () => {
  const fromGo = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', goJson);
  const fromProto3 = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', proto3Json);
  assert.deepEqual(fromProto3, fromGo);
  const viaGrpc = decodeMessage(
    'evhub_producer.ReportReq',
    encodeMessage('evhub_producer.ReportReq', {
      event: { ...goJson.event, data },
      trigger: goJson.trigger as EventTrigger,
      option: goJson.option,
    }),
  );
  assert.deepEqual(fromGo, viaGrpc);
  assert.equal(fromGo.event?.data.toString(), '{"order":42}');
  assert.equal(fromGo.trigger?.repeat_trigger?.regular_pulser?.interval?.nanos, 500_000_000);
});

test('absent and null parts read as absent; unknown fields are ignored; numeric strings are accepted', () => {
  const report = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', {
    event: { app_id: 'a', topic_id: 't', data: null, extra: 1 },
    trigger: null,
    option: { orderingKey: '' },
    somethingElse: true,
  });
  assert.equal(report.trigger, null);
  assert.equal(report.event?.data.length, 0);
  const delay = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', {
    trigger: { trigger_type: '2', delay_trigger: { delay_time: { seconds: '5' } } },
  });
  assert.equal(delay.trigger?.trigger_type, 2);
  assert.deepEqual(delay.trigger?.delay_trigger?.delay_time, { seconds: '5', nanos: 0 });
  assert.equal(delay.event, null);
});

test('unknown enum numbers are kept for validation to judge; unknown names are refused', () => {
  const report = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', { trigger: { trigger_type: 99 } });
  assert.equal(report.trigger?.trigger_type, 99);
  assert.throws(() => messageFromJson('evhub_producer.ReportReq', { trigger: { triggerType: 'SOON' } }), {
    message: 'trigger.trigger_type "SOON" is not a known EventTriggerType',
  });
});

test('type errors name the field', () => {
  const cases: Array<[unknown, string]> = [
    [[], 'request body must be a JSON object'],
    [{ event: 'x' }, 'event must be a JSON object'],
    [{ event: { app_id: 5 } }, 'event.app_id must be a string'],
    [{ event: { data: 'not base64!' } }, 'event.data is not valid base64'],
    [{ event: { event_comm: { event_tag: { tag_list: 'a' } } } }, 'event.event_comm.event_tag.tag_list must be a JSON array'],
    [
      { trigger: { delay_trigger: { delay_time: '5 minutes' } } },
      'trigger.delay_trigger.delay_time "5 minutes" is not a duration (expected e.g. "5s", "1.5s" or {"seconds": 5, "nanos": 0})',
    ],
    [{ trigger: { delay_trigger: { delay_time: { seconds: 1.5 } } } }, 'trigger.delay_trigger.delay_time.seconds must be an integer'],
    [
      { trigger: { repeat_trigger: { begin_time: 'tomorrow' } } },
      'trigger.repeat_trigger.begin_time "tomorrow" is not an RFC 3339 timestamp (e.g. "2024-05-01T12:00:00Z")',
    ],
    [{ trigger: { repeat_trigger: { repeat_end: { repeat_times: -1 } } } }, 'trigger.repeat_trigger.repeat_end.repeat_times must be in [0, 4294967295]'],
  ];
  for (const [json, message] of cases) assert.throws(() => messageFromJson('evhub_producer.ReportReq', json), { message }, JSON.stringify(json));
});

test('negative and fractional duration strings', () => {
  const report = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', { trigger: { delay_trigger: { delay_time: '-1.25s' } } });
  assert.deepEqual(report.trigger?.delay_trigger?.delay_time, { seconds: '-1', nanos: -250_000_000 });
});

test('lowerCamel follows proto3 JSON names', () => {
  assert.equal(lowerCamel('app_id'), 'appId');
  assert.equal(lowerCamel('delay_process_trigger_list'), 'delayProcessTriggerList');
  assert.equal(lowerCamel('orderingKey'), 'orderingKey');
  assert.equal(lowerCamel('Endpoint'), 'Endpoint');
});
