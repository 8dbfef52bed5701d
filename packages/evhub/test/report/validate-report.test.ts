// validateReport: every refusal names its field with the exact message; valid Reports say where they go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { decodeMessage, encodeMessage, type ReportReq } from '@eventyard/proto';
import { validateReport } from '../../src/report/validate-report.ts';
import { INVALID_REPORTS } from '../../src/testing.ts';

const limits = { maxEventBytes: 1024, idempotencyDefaultWindowMs: 60_000 };

/** The object shape a gRPC handler receives (absent messages null, enums numbers). */
function asReceived(request: ReportReq) {
  return decodeMessage('evhub_producer.ReportReq', encodeMessage('evhub_producer.ReportReq', request));
}

for (const c of INVALID_REPORTS) {
  test(`refused: ${c.name}`, () => {
    assert.throws(
      () => validateReport(asReceived(c.request), limits),
      (err: unknown) => isEventyardError(err) && err.resultCode === 10000 && err.code === 'EY_REPORT_INVALID' && err.message === c.msg,
    );
  });
}

test('oversize data names the limit', () => {
  const request = asReceived({ event: { app_id: 'a', topic_id: 't', data: Buffer.alloc(1025) } });
  assert.throws(() => validateReport(request, limits), { message: 'event.data is 1025 bytes, over the limit of 1024 bytes (EY_MAX_EVENT_BYTES)' });
  assert.doesNotThrow(() => validateReport(asReceived({ event: { app_id: 'a', topic_id: 't', data: Buffer.alloc(1024) } }), limits));
});

test('an event whose Kafka records would be over EY_KAFKA_MAX_BATCH_BYTES is refused at Report, not dead-lettered later', () => {
  const sized = { maxEventBytes: 1024 * 1024, idempotencyDefaultWindowMs: 60_000, maxRecordBytes: 64 * 1024 };
  const request = asReceived({ event: { app_id: 'a', topic_id: 't', data: Buffer.alloc(60 * 1024) } });
  assert.throws(
    () => validateReport(request, sized),
    (err: unknown) =>
      isEventyardError(err) &&
      err.resultCode === 10000 &&
      /^event would make Kafka records of about \d+ bytes, over the limit of 65536 bytes \(EY_KAFKA_MAX_BATCH_BYTES\)$/.test(err.message),
  );
  assert.doesNotThrow(() => validateReport(asReceived({ event: { app_id: 'a', topic_id: 't', data: Buffer.alloc(40 * 1024) } }), sized));
});

test('a null trigger, trigger_type 0 and delay_time 0 are real-time', () => {
  const event = { app_id: 'a', topic_id: 't' };
  for (const trigger of [
    undefined,
    { trigger_type: 0 as const },
    { trigger_type: 1 as const },
    { trigger_type: 2 as const, delay_trigger: { delay_time: {} } },
  ]) {
    const valid = validateReport(asReceived({ event, ...(trigger === undefined ? {} : { trigger }) }), limits);
    assert.equal(valid.delayMs, 0);
  }
});

test('a delay event carries its delay; repeat and delay-process events go out at once', () => {
  const event = { app_id: 'a', topic_id: 't' };
  assert.equal(
    validateReport(asReceived({ event, trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 3, nanos: 500_000_000 } } } }), limits).delayMs,
    3500,
  );
  const repeat = {
    trigger_type: 3 as const,
    repeat_trigger: {
      end_type: 2 as const,
      repeat_end: { repeat_times: 3 },
      pulser_type: 2 as const,
      crontab_pulser: { crontab: 'CRON_TZ=Europe/Berlin */5 * * * * *' },
    },
  };
  assert.equal(validateReport(asReceived({ event, trigger: repeat }), limits).delayMs, 0);
  const dp = { trigger_type: 4 as const, delay_process_trigger_list: [{ key: 'slow', delay_time: { seconds: 10 } }] };
  assert.equal(validateReport(asReceived({ event, trigger: dp }), limits).delayMs, 0);
});

test('ordering key and idempotency (default window when idempotent_time is absent)', () => {
  const event = { app_id: 'a', topic_id: 't' };
  const valid = validateReport(asReceived({ event, option: { orderingKey: 'k1', idempotent: { key: 'once' } } }), limits);
  assert.equal(valid.orderingKey, 'k1');
  assert.deepEqual(valid.idempotency, { key: 'once', windowMs: 60_000 });
  const timed = validateReport(asReceived({ event, option: { idempotent: { key: 'once', idempotent_time: { seconds: 5 } } } }), limits);
  assert.deepEqual(timed.idempotency, { key: 'once', windowMs: 5000 });
  assert.equal(validateReport(asReceived({ event }), limits).idempotency, null);
});
