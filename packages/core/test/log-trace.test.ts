// Trace ids on log lines (issue 17): a per-event log context carries the event's trace id with or
// without an exporter; once the SDK is loaded, every line logged while a span is current carries that
// span's ids; without it, the logger's mixin copies nothing. Dead letters carry the event's traceparent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import {
  addTraceLogFields,
  createLogger,
  DeadLetterCodes,
  deadLetterMessage,
  mergeTraceLogFields,
  noTraceLogFields,
  startTelemetry,
  traceLogMixin,
  traceParentInTrace,
  tracer,
} from '../src/index.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, log: createLogger({ name: 'test', destination }) };
}

test("without an exporter a delivery's log context carries its trace id (no span id), and other lines nothing", () => {
  const { lines, log } = capture();
  const span = tracer().startSpan('', { kind: 'consumer', parent: PARENT });
  const context: Record<string, unknown> = { topic: 'eventyard.deliveries.x', partition: 0, offset: '7' };
  addTraceLogFields(context, span);
  log.warn({ ...context, event_id: '42' }, 'delivery dead: attempts exhausted');
  log.info('no event here');
  log.info({ event_id: '43' }, 'an event without a trace');
  assert.equal(lines[0]?.trace_id, TRACE_ID);
  assert.equal(lines[0]?.event_id, '42');
  assert.equal('span_id' in (lines[0] ?? {}), false, 'a pass-through span has no id of its own');
  assert.equal('trace_id' in (lines[1] ?? {}), false);
  assert.equal('trace_id' in (lines[2] ?? {}), false);
});

test('an event without a trace adds nothing to its log context', () => {
  const context: Record<string, unknown> = { partition: 1 };
  addTraceLogFields(context, tracer().startSpan('', { kind: 'consumer' }));
  assert.deepEqual(context, { partition: 1 });
});

test('the mixin copies nothing without the SDK: the shared empty object is never merged into', () => {
  const empty = traceLogMixin();
  assert.equal(empty, noTraceLogFields());
  const line = { event_id: '1' };
  assert.equal(mergeTraceLogFields(line, empty), line);
  assert.deepEqual(empty, {});
  assert.ok(Object.isFrozen(empty));
});

test("with the SDK loaded, lines logged while a span is current carry its trace and span ids; the call's own fields win", async (t) => {
  // The console exporter prints spans as they end; none of these is ended, so nothing is exported.
  const saved = process.env.OTEL_TRACES_EXPORTER;
  process.env.OTEL_TRACES_EXPORTER = 'console';
  const telemetry = await startTelemetry({ service: 'log-trace-test', env: process.env });
  t.after(async () => {
    await telemetry.shutdown();
    if (saved === undefined) delete process.env.OTEL_TRACES_EXPORTER;
    else process.env.OTEL_TRACES_EXPORTER = saved;
  });
  assert.equal(telemetry.enabled, true);
  const { lines, log } = capture();
  const span = tracer().startSpan('process eventyard.deliveries.x', { kind: 'consumer', parent: PARENT });
  const spanId = span.traceParent.split('-')[2];
  span.run(() => log.info({ event_id: '42' }, 'inside the span'));
  log.info({ event_id: '42' }, 'outside any span');
  span.run(() => log.info({ event_id: '42', trace_id: 'explicit' }, 'the call names its own trace'));
  const context: Record<string, unknown> = { partition: 0 };
  addTraceLogFields(context, span);
  log.info(context, 'a delivery context');

  assert.equal(lines[0]?.trace_id, TRACE_ID);
  assert.equal(lines[0]?.span_id, spanId);
  assert.notEqual(spanId, '00f067aa0ba902b7', 'the span has an id of its own');
  assert.equal('trace_id' in (lines[1] ?? {}), false);
  assert.equal(lines[2]?.trace_id, 'explicit');
  assert.deepEqual([lines[3]?.trace_id, lines[3]?.span_id], [TRACE_ID, spanId]);
});

test('traceParentInTrace continues a stored trace id with a fresh span id, and refuses what is not a trace id', () => {
  const a = traceParentInTrace(TRACE_ID);
  const b = traceParentInTrace(TRACE_ID.toUpperCase());
  assert.match(a ?? '', new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  assert.match(b ?? '', new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  assert.notEqual(a, b);
  for (const bad of [null, undefined, '', 'abc', '0'.repeat(32), `${TRACE_ID}0`, 'g'.repeat(32)]) assert.equal(traceParentInTrace(bad), undefined, String(bad));
});

test("a dead letter carries the event's traceparent; without one it keeps the record's own", () => {
  const base = { key: null, value: Buffer.from('x'), code: DeadLetterCodes.ingestRecordInvalid, reason: 'bad' };
  assert.equal(deadLetterMessage({ ...base, traceParent: PARENT }).headers.traceparent, PARENT);
  const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
  assert.equal(deadLetterMessage({ ...base, headers: { traceparent: own } }).headers.traceparent, own);
  assert.equal(deadLetterMessage({ ...base, headers: { traceparent: own }, traceParent: 'not a traceparent' }).headers.traceparent, own);
  assert.equal(deadLetterMessage({ ...base, headers: { traceparent: own }, traceParent: PARENT }).headers.traceparent, PARENT);
  assert.equal('traceparent' in deadLetterMessage(base).headers, false);
});
