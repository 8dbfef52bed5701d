// encodeMessage/decodeMessage against bytes built independently, field by field, from the field
// numbers and wire types in evhub-contract.md with a hand-rolled protobuf writer (not the loader).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, ProtoError, ProtoErrors, ResultCode } from '../src/index.ts';
import type { MessageTypeName, ReportReq, ReportReq__Output } from '../src/index.ts';

// --- Hand-rolled protobuf writer (https://protobuf.dev/programming-guides/encoding/) ---------------

const VARINT = 0;
const LEN = 2;

/** Base-128 varint; negative int32/int64 are sign-extended to 64 bits first (10 bytes). */
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
/** int32, uint32, int64, bool and enum fields. */
const num = (field: number, value: number | bigint): number[] => [...tag(field, VARINT), ...varint(value)];
const bytes = (field: number, b: Iterable<number>): number[] => {
  const body = [...b];
  return [...tag(field, LEN), ...varint(body.length), ...body];
};
const str = (field: number, s: string): number[] => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...fields: number[][]): number[] => bytes(field, fields.flat());
/** google.protobuf.Timestamp / Duration: `int64 seconds = 1; int32 nanos = 2;` */
const secondsNanos = (field: number, seconds: number | bigint, nanos: number): number[] => msg(field, num(1, seconds), num(2, nanos));

// --- A ReportReq with every field set -------------------------------------------------------------

const DATA = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)); // > 127: 2-byte length
const MAX_TIMESTAMP = 253402300799; // 9999-12-31T23:59:59Z, a 6-byte varint

const REPORT_REQ: ReportReq = {
  event: {
    app_id: 'app-1',
    topic_id: 'topic-öü',
    event_comm: {
      event_source: { source: 'svc-a', qua: 'qua/1.0', create_time: { seconds: 1700000000, nanos: 123456789 } },
      event_tag: { tag_list: ['red', '蓝'] },
    },
    data: DATA,
  },
  trigger: {
    trigger_type: 3,
    delay_trigger: { delay_time: { seconds: 5, nanos: 500000000 } },
    repeat_trigger: {
      begin_time: { seconds: '1700000100', nanos: 1 },
      end_type: 2,
      repeat_end: { repeat_times: 10, end_time: { seconds: MAX_TIMESTAMP, nanos: 999999999 } },
      pulser_type: 2,
      regular_pulser: { interval: { seconds: 60, nanos: 250 } },
      crontab_pulser: { crontab: '*/5 * * * *' },
    },
    delay_process_trigger_list: [
      { key: 'billing', delay_time: { seconds: 30, nanos: 1 } },
      { key: 'audit', delay_time: { seconds: 3600, nanos: 42 } },
    ],
  },
  option: {
    idempotent: { key: 'idem-123', idempotent_time: { seconds: 86400, nanos: 7 } },
    orderingKey: 'user-42',
  },
};

// Field numbers and wire types from evhub-contract.md, in field-number order.
const REPORT_REQ_BYTES = Buffer.from([
  // ReportReq.event = 1 (Event)
  ...msg(
    1,
    str(1, 'app-1'), // Event.app_id = 1
    str(2, 'topic-öü'), // Event.topic_id = 2
    msg(
      3, // Event.event_comm = 3 (EventComm)
      msg(1, str(1, 'svc-a'), str(2, 'qua/1.0'), secondsNanos(3, 1700000000, 123456789)), // EventComm.event_source = 1: source=1, qua=2, create_time=3
      msg(2, str(1, 'red'), str(1, '蓝')), // EventComm.event_tag = 2: repeated tag_list = 1
    ),
    bytes(4, DATA), // Event.data = 4
  ),
  // ReportReq.trigger = 2 (EventTrigger)
  ...msg(
    2,
    num(1, 3), // trigger_type = 1: EVENT_TRIGGER_TYPE_REPEAT
    msg(2, secondsNanos(1, 5, 500000000)), // delay_trigger = 2: delay_time = 1
    msg(
      3, // repeat_trigger = 3 (EventRepeatTrigger)
      secondsNanos(1, 1700000100, 1), // begin_time = 1
      num(2, 2), // end_type = 2: END_BY_COUNT
      msg(3, num(1, 10), secondsNanos(2, MAX_TIMESTAMP, 999999999)), // repeat_end = 3: repeat_times = 1, end_time = 2
      num(4, 2), // pulser_type = 4: BY_CRONTAB
      msg(5, secondsNanos(1, 60, 250)), // regular_pulser = 5: interval = 1
      msg(6, str(1, '*/5 * * * *')), // crontab_pulser = 6: crontab = 1
    ),
    msg(4, str(1, 'billing'), secondsNanos(2, 30, 1)), // delay_process_trigger_list = 4: key = 1, delay_time = 2
    msg(4, str(1, 'audit'), secondsNanos(2, 3600, 42)),
  ),
  // ReportReq.option = 3 (EventOption)
  ...msg(
    3,
    msg(1, str(1, 'idem-123'), secondsNanos(2, 86400, 7)), // idempotent = 1: key = 1, idempotent_time = 2
    str(2, 'user-42'), // orderingKey = 2
  ),
]);

/** What decoding gives: int64 as decimal strings, enums as numbers, bytes as Buffer. */
const REPORT_REQ_DECODED: ReportReq__Output = {
  event: {
    app_id: 'app-1',
    topic_id: 'topic-öü',
    event_comm: {
      event_source: { source: 'svc-a', qua: 'qua/1.0', create_time: { seconds: '1700000000', nanos: 123456789 } },
      event_tag: { tag_list: ['red', '蓝'] },
    },
    data: DATA,
  },
  trigger: {
    trigger_type: 3,
    delay_trigger: { delay_time: { seconds: '5', nanos: 500000000 } },
    repeat_trigger: {
      begin_time: { seconds: '1700000100', nanos: 1 },
      end_type: 2,
      repeat_end: { repeat_times: 10, end_time: { seconds: String(MAX_TIMESTAMP), nanos: 999999999 } },
      pulser_type: 2,
      regular_pulser: { interval: { seconds: '60', nanos: 250 } },
      crontab_pulser: { crontab: '*/5 * * * *' },
    },
    delay_process_trigger_list: [
      { key: 'billing', delay_time: { seconds: '30', nanos: 1 } },
      { key: 'audit', delay_time: { seconds: '3600', nanos: 42 } },
    ],
  },
  option: {
    idempotent: { key: 'idem-123', idempotent_time: { seconds: '86400', nanos: 7 } },
    orderingKey: 'user-42',
  },
};

test('a ReportReq with every field set encodes to the bytes derived from the contract', () => {
  const encoded = encodeMessage('evhub_producer.ReportReq', REPORT_REQ);
  assert.ok(Buffer.isBuffer(encoded));
  assert.equal(encoded.toString('hex'), REPORT_REQ_BYTES.toString('hex'));
});

test('the hand-built ReportReq bytes decode back to the object', () => {
  const decoded = decodeMessage('evhub_producer.ReportReq', REPORT_REQ_BYTES);
  assert.deepStrictEqual(decoded, REPORT_REQ_DECODED);
  assert.ok(Buffer.isBuffer(decoded.event?.data));
  // A plain Uint8Array (e.g. from another library) decodes the same, still with Buffer bytes.
  const fromArray = decodeMessage('evhub_producer.ReportReq', new Uint8Array(REPORT_REQ_BYTES));
  assert.deepStrictEqual(fromArray, REPORT_REQ_DECODED);
});

test('DispatchRsp has no field 1: ret is field 2; a negative int32 is a 10-byte varint', () => {
  const expected = Buffer.from([...msg(2, num(1, -1), str(2, 'nope')), ...bytes(3, Buffer.from('cursor-9'))]);
  const encoded = encodeMessage('evhub_processor.DispatchRsp', { ret: { code: -1, msg: 'nope' }, pass_back: Buffer.from('cursor-9') });
  assert.equal(encoded.toString('hex'), expected.toString('hex'));
  assert.deepStrictEqual(decodeMessage('evhub_processor.DispatchRsp', expected), {
    ret: { code: -1, msg: 'nope' },
    pass_back: Buffer.from('cursor-9'),
  });
});

test('absent fields decode to defaults: zero scalars, empty arrays and bytes, null messages', () => {
  assert.deepStrictEqual(decodeMessage('evhub_producer.ReportReq', Buffer.alloc(0)), { event: null, trigger: null, option: null });
  assert.deepStrictEqual(decodeMessage('evhub_comm.Event', Buffer.alloc(0)), {
    app_id: '',
    topic_id: '',
    event_comm: null,
    data: Buffer.alloc(0),
  });
  assert.deepStrictEqual(decodeMessage('evhub_comm.EventTag', Buffer.alloc(0)), { tag_list: [] });
});

test('zero scalars are not written, as in Go: re-encoding a decoded object gives canonical bytes', () => {
  assert.equal(encodeMessage('evhub_processor.DispatchReq', { event_id: '', retry_times: 0, pass_back: Buffer.alloc(0) }).length, 0);
  const emptyEvent = decodeMessage('evhub_comm.Event', Buffer.alloc(0));
  assert.equal(encodeMessage('evhub_comm.Event', emptyEvent).length, 0);
  // A present but empty message is still written (zero length), as Go does for a non-nil pointer.
  assert.deepEqual([...encodeMessage('evhub_comm.Event', { event_comm: {} })], tag(3, LEN).concat(0));
  assert.deepEqual([...encodeMessage('google.protobuf.Duration', { seconds: '0', nanos: 5 })], num(2, 5));
  assert.equal(encodeMessage('evhub_producer.ReportReq', REPORT_REQ_DECODED).toString('hex'), REPORT_REQ_BYTES.toString('hex'));
});

test('Eventyard envelopes round-trip, a ScheduleItem carrying an encoded DeliveryTask', () => {
  const ingest = {
    event_id: '7260000000000000001',
    event: REPORT_REQ_DECODED.event,
    trigger: REPORT_REQ_DECODED.trigger,
    option: REPORT_REQ_DECODED.option,
    reported_at: { seconds: '1700000000', nanos: 5 },
    trace_parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    broadcast: true,
    repeat_times: 4,
    api_key_id: '0123456789ab',
  };
  assert.deepStrictEqual(decodeMessage('eventyard.v1.IngestEnvelope', encodeMessage('eventyard.v1.IngestEnvelope', ingest)), ingest);

  const task = {
    event_id: ingest.event_id,
    event: ingest.event,
    trigger: ingest.trigger,
    dispatcher_id: 'billing.v2',
    retry_times: 2,
    repeat_times: 4,
    pass_back: Buffer.from([0, 1, 2]),
    reported_at: ingest.reported_at,
    scheduled_for: { seconds: '1700000060', nanos: 0 },
    trigger_source: 'manual',
    trace_parent: ingest.trace_parent,
  };
  const item = {
    timer_id: 'retry:7260000000000000001:billing.v2:2',
    due_at: task.scheduled_for,
    target_topic: 'eventyard.deliveries.billing.v2',
    key: Buffer.from('user-42'),
    value: encodeMessage('eventyard.v1.DeliveryTask', task),
    kind: 'retry',
  };
  const decodedItem = decodeMessage('eventyard.v1.ScheduleItem', encodeMessage('eventyard.v1.ScheduleItem', item));
  assert.deepStrictEqual(decodedItem, item);
  assert.deepStrictEqual(decodeMessage('eventyard.v1.DeliveryTask', decodedItem.value), task);
});

// --- Malformed and unknown input --------------------------------------------------------------------

function assertDecodeFails(typeName: MessageTypeName, input: Uint8Array | number[], pattern: RegExp): void {
  assert.throws(
    () => decodeMessage(typeName, Buffer.from(input)),
    (err: unknown) => {
      assert.ok(err instanceof ProtoError, `expected a ProtoError, got ${String(err)}`);
      assert.equal(err.code, ProtoErrors.EY_PROTO_DECODE_FAILED.code);
      assert.equal(err.retriable, false);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('malformed bytes throw EY_PROTO_DECODE_FAILED instead of decoding garbage', () => {
  assertDecodeFails('evhub_producer.ReportReq', REPORT_REQ_BYTES.subarray(0, REPORT_REQ_BYTES.length - 3), /past the end/);
  assertDecodeFails('evhub_producer.ReportReq', [0x0a, 0x0a, 0x01, 0x02], /past the end/); // length 10, 2 bytes
  assertDecodeFails('evhub_processor.DispatchReq', [0x0f, 0x00], /invalid wire type 7/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x08, 0x01], /event_id \(1\): wire type 0, expected 2/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x1a, 0x01, 0x41], /retry_times \(3\): wire type 2, expected 0/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x12, 0x02, 0x08, 0x01], /app_id \(1\): wire type 0/); // bad nested Event
  assertDecodeFails('evhub_processor.DispatchReq', str(1, 'x').slice(0, 2).concat([0xff]), /not valid UTF-8/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x18, ...Array<number>(10).fill(0xff), 0x01], /longer than 10 bytes/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x18], /truncated varint/);
  assertDecodeFails('evhub_processor.DispatchReq', [0x00, 0x01], /field number 0/);
  assertDecodeFails('evhub_processor.DispatchReq', Array<number>(200).fill(0x7b), /nesting depth/); // 200 nested start-groups of unknown field 15
  assertDecodeFails('eventyard.v1.IngestEnvelope', Buffer.from('{"event_id":"1"}'), /cannot decode eventyard\.v1\.IngestEnvelope/);
});

test('varints at the bounds the wire check compares them with (Numbers, not BigInts)', () => {
  assertDecodeFails('evhub_processor.DispatchReq', [0x80, 0x80, 0x80, 0x80, 0x10, 0x00], /tag out of range/); // 2^32
  assertDecodeFails('evhub_processor.DispatchReq', [0xff, 0xff, 0xff, 0xff, 0x0f], /invalid wire type 7/); // 2^32 - 1
  assertDecodeFails('evhub_processor.DispatchReq', [0x0a, ...Array<number>(8).fill(0xff), 0x7f], /length \d+ at offset 1 runs past the end/); // 2^63 - 1
  assertDecodeFails('evhub_processor.DispatchReq', [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /runs past the end/); // 2^63
  // The highest field number (2^29 - 1), unknown, is skipped; so is an unknown varint of 10 bytes.
  const highest = Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01, ...tag(99, 0), ...Array<number>(9).fill(0xff), 0x01, ...num(3, 300)]);
  assert.equal(decodeMessage('evhub_processor.DispatchReq', highest).retry_times, 300);
  // A string and a bytes field longer than one length byte.
  const long = 'é'.repeat(200);
  assert.equal(decodeMessage('evhub_processor.DispatchReq', Buffer.from(str(1, long))).event_id, long);
});

test('random bytes either decode or throw EY_PROTO_DECODE_FAILED, never anything else', () => {
  let seed = 0x2545f491;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  const names: MessageTypeName[] = ['evhub_producer.ReportReq', 'evhub_processor.DispatchReq', 'eventyard.v1.DeliveryTask'];
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(Array.from({ length: next() % 64 }, next));
    const typeName = names[i % names.length] as MessageTypeName;
    try {
      decodeMessage(typeName, buf);
    } catch (err) {
      assert.ok(err instanceof ProtoError && err.code === ProtoErrors.EY_PROTO_DECODE_FAILED.code, `${typeName} ${buf.toString('hex')}: ${String(err)}`);
    }
  }
});

test('unknown fields of every wire type are skipped', () => {
  const withUnknowns = Buffer.from([
    ...str(1, '42'), // event_id
    ...num(99, 123456789), // unknown varint
    ...bytes(100, [1, 2, 3]), // unknown length-delimited
    ...tag(101, 1),
    ...[1, 2, 3, 4, 5, 6, 7, 8], // unknown fixed64
    ...tag(102, 5),
    ...[1, 2, 3, 4], // unknown fixed32
    ...tag(103, 3),
    ...num(1, 7),
    ...str(2, 'in a group'),
    ...tag(103, 4), // unknown group
    ...num(3, 2), // retry_times
    ...bytes(5, Buffer.from('pb')), // pass_back
  ]);
  assert.deepStrictEqual(decodeMessage('evhub_processor.DispatchReq', withUnknowns), {
    event_id: '42',
    event: null,
    retry_times: 2,
    repeat_times: 0,
    pass_back: Buffer.from('pb'),
  });
  // A reply that sets field 1 of DispatchRsp (EvHub never defined it) still reads ret and pass_back.
  const rsp = Buffer.from([...num(1, 5), ...msg(2, num(1, 30000)), ...bytes(3, [9])]);
  assert.deepStrictEqual(decodeMessage('evhub_processor.DispatchRsp', rsp), { ret: { code: 30000, msg: '' }, pass_back: Buffer.from([9]) });
});

test('encoding a value that cannot be converted, or an unknown type, throws a coded error', () => {
  assert.throws(
    () => encodeMessage('evhub_producer.ReportReq', { event: 'not a message' } as never),
    (err: unknown) => err instanceof ProtoError && err.code === ProtoErrors.EY_PROTO_ENCODE_FAILED.code,
  );
  assert.throws(
    () => decodeMessage('evhub_comm.NoSuchType' as MessageTypeName, Buffer.alloc(0)),
    (err: unknown) => err instanceof ProtoError && err.code === ProtoErrors.EY_PROTO_UNKNOWN_TYPE.code,
  );
});

test('codec errors have the shape and brand of an EventyardError (family protocol, not retriable, system error)', () => {
  let caught: unknown;
  try {
    decodeMessage('evhub_processor.DispatchReq', Buffer.from([0x18]));
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ProtoError);
  // The brand @eventyard/core's isEventyardError checks; proto cannot import core to call it.
  assert.equal((caught as unknown as Record<symbol, unknown>)[Symbol.for('eventyard.error')], true);
  assert.equal(caught.name, 'ProtoError');
  assert.equal(caught.family, 'protocol');
  assert.equal(caught.retriable, false);
  assert.equal(caught.resultCode, ResultCode.SYSTEM_ERROR);
  assert.deepEqual(caught.context, { type: 'evhub_processor.DispatchReq', bytes: 1 });
  assert.ok(caught.cause instanceof Error);
  assert.deepEqual(caught.toJSON(), {
    name: 'ProtoError',
    code: ProtoErrors.EY_PROTO_DECODE_FAILED.code,
    family: 'protocol',
    message: caught.message,
    retriable: false,
    type: 'evhub_processor.DispatchReq',
    bytes: 1,
  });
});
