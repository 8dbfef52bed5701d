// The JSON DispatchReq of httpSend in EvHub's Go-struct form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchReqJson } from '../../src/send/dispatch-json.ts';

test('snake_case names, base64 bytes, numeric seconds, all top-level fields, no nulls', () => {
  const json = JSON.parse(
    dispatchReqJson({
      event_id: '42',
      event: {
        app_id: 'shop',
        topic_id: 'order',
        event_comm: { event_source: { source: 'svc', qua: '', create_time: { seconds: '1700000000', nanos: 7 } }, event_tag: null },
        data: Buffer.from('{"a":1}'),
      },
      retry_times: 0,
      repeat_times: 3,
      pass_back: Buffer.from('pb'),
    }),
  ) as Record<string, unknown>;
  assert.deepEqual(json, {
    event_id: '42',
    event: {
      app_id: 'shop',
      topic_id: 'order',
      event_comm: { event_source: { source: 'svc', qua: '', create_time: { seconds: 1700000000, nanos: 7 } } },
      data: Buffer.from('{"a":1}').toString('base64'),
    },
    retry_times: 0,
    repeat_times: 3,
    pass_back: Buffer.from('pb').toString('base64'),
  });
});

test('an absent event is written as null, zero counters and empty pass_back as zero values', () => {
  const json = JSON.parse(dispatchReqJson({ event_id: '43', event: null, retry_times: 0, repeat_times: 0, pass_back: Buffer.alloc(0) })) as Record<
    string,
    unknown
  >;
  assert.deepEqual(json, { event_id: '43', event: null, retry_times: 0, repeat_times: 0, pass_back: '' });
});
