// EvHub's Go-struct JSON writer: what Go's encoding/json makes of the generated structs (omitempty),
// the always-write-zero-values form the dispatcher sends, and the round trip through messageFromJson.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, TxStatus, type CallbackReq, type ReportReq__Output } from '@eventyard/proto';
import { messageFromJson, messageToJson } from '../../src/index.ts';

test('omitempty: proto names, numeric enums and seconds, base64 bytes; zero values and absent messages left out', () => {
  const req: CallbackReq = {
    event: {
      app_id: 'app',
      topic_id: 'orders',
      event_comm: { event_source: { source: '', qua: '', create_time: { seconds: '1700000000', nanos: 0 } }, event_tag: { tag_list: [] } },
      data: Buffer.from('half-event'),
    },
    tx: { event_id: '42', status: TxStatus.TX_STATUS_PREPARE },
  };
  assert.deepEqual(messageToJson('evhub_transaction.CallbackReq', req), {
    event: {
      app_id: 'app',
      topic_id: 'orders',
      // A present message is written even when all its fields are zero, as Go writes a non-nil pointer.
      event_comm: { event_source: { create_time: { seconds: 1700000000 } }, event_tag: {} },
      data: Buffer.from('half-event').toString('base64'),
    },
    tx: { event_id: '42', status: 1 },
  });
  assert.deepEqual(messageToJson('evhub_transaction.CallbackReq', { event: null, tx: { event_id: '', status: 0 } }), { tx: {} });
});

test('emitZeroValues writes every scalar, empty bytes and lists, but still no nulls for absent messages', () => {
  const json = messageToJson(
    'evhub_processor.DispatchReq',
    {
      event_id: '7',
      event: { app_id: 'shop', topic_id: '', event_comm: { event_source: null, event_tag: { tag_list: ['', 'vip'] } }, data: Buffer.alloc(0) },
      retry_times: 0,
      repeat_times: 2,
    },
    { emitZeroValues: true },
  );
  assert.deepEqual(json, {
    event_id: '7',
    event: { app_id: 'shop', topic_id: '', event_comm: { event_tag: { tag_list: ['', 'vip'] } }, data: '' },
    retry_times: 0,
    repeat_times: 2,
    pass_back: '',
  });
});

test('only the type’s fields are written; enum names become numbers', () => {
  const json = messageToJson('evhub_comm.Tx', { event_id: 'e', status: 'TX_STATUS_COMMIT', extra: 'not a field' });
  assert.deepEqual(json, { event_id: 'e', status: 2 });
});

test('round trip: messageFromJson reads back exactly what messageToJson wrote, as gRPC would decode it', () => {
  const report = decodeMessage(
    'evhub_producer.ReportReq',
    encodeMessage('evhub_producer.ReportReq', {
      event: {
        app_id: 'shop',
        topic_id: 'order',
        event_comm: { event_source: { source: 'web', qua: 'q', create_time: { seconds: 1_714_564_800, nanos: 5000 } }, event_tag: { tag_list: ['vip', 'eu'] } },
        data: Buffer.from('{"order":42}'),
      },
      trigger: {
        trigger_type: 4,
        delay_process_trigger_list: [
          { key: 'a', delay_time: { seconds: 5 } },
          { key: 'b', delay_time: { seconds: -1, nanos: -500_000_000 } },
        ],
      },
      option: { idempotent: { key: 'once', idempotent_time: { seconds: 60 } }, orderingKey: 'customer-7' },
    }),
  );
  for (const emitZeroValues of [false, true]) {
    const text = JSON.stringify(messageToJson('evhub_producer.ReportReq', report, { emitZeroValues }));
    assert.deepEqual(messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', JSON.parse(text)), report);
  }
});
