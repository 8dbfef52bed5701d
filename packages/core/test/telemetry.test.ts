// The traceparent helpers every service uses to carry a trace across Kafka, gRPC and HTTP, the
// pass-through tracer in force without an exporter, and when the SDK is loaded at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatTraceParent,
  newTraceParent,
  parseTraceParent,
  passThroughTracer,
  traceIdOf,
  traceParentFromHeaders,
  tracer,
  tracesConfigured,
  withTraceParent,
  TRACEPARENT_HEADER,
} from '@eventyard/core';

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

test('parseTraceParent reads a valid version-00 value and formatTraceParent writes it back', () => {
  const parts = parseTraceParent(VALID);
  assert.deepEqual(parts, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1 });
  assert.equal(formatTraceParent(parts), VALID);
  assert.equal(formatTraceParent({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 0 }), VALID.replace(/-01$/, '-00'));
  assert.equal(traceIdOf(VALID), '0af7651916cd43dd8448eb211c80319c');
  assert.deepEqual(parseTraceParent(` ${VALID} `), parts, 'surrounding spaces (as some HTTP clients send) are ignored');
});

test('parseTraceParent refuses what the W3C spec says to ignore', () => {
  for (const bad of [
    undefined,
    null,
    '',
    'tp',
    VALID.toUpperCase(),
    VALID.replace('0af7651916cd43dd8448eb211c80319c', '0'.repeat(32)),
    VALID.replace('b7ad6b7169203331', '0'.repeat(16)),
    `ff${VALID.slice(2)}`,
    `${VALID}-extra`,
    VALID.replace(/-/g, '_'),
    VALID.slice(0, 54),
    VALID.replace('0af7', 'zzzz'),
  ]) {
    assert.equal(parseTraceParent(bad), undefined, String(bad));
  }
  // A later version may add fields after its first four: read those four.
  assert.equal(parseTraceParent(`01${VALID.slice(2)}-future`)?.traceId, '0af7651916cd43dd8448eb211c80319c');
});

test('newTraceParent starts a valid sampled trace with fresh ids each time', () => {
  const a = newTraceParent();
  const b = newTraceParent();
  assert.equal(parseTraceParent(a)?.flags, 1);
  assert.notEqual(traceIdOf(a), undefined);
  assert.notEqual(traceIdOf(a), traceIdOf(b));
});

test('newTraceParent ids stay valid and distinct across refills of its random pool', () => {
  // 170 ids fit in one 4 KiB pool: 1,000 cross five refills.
  const ids = Array.from({ length: 1000 }, () => newTraceParent());
  for (const id of ids) assert.notEqual(parseTraceParent(id), undefined, id);
  assert.equal(new Set(ids.map((id) => traceIdOf(id))).size, ids.length, 'trace ids repeat');
  assert.equal(new Set(ids.map((id) => id.slice(36, 52))).size, ids.length, 'span ids repeat');
});

test('traceParentFromHeaders reads kafkajs headers (Buffer, string, array) and plain records, ignoring invalid values', () => {
  assert.equal(traceParentFromHeaders({ [TRACEPARENT_HEADER]: Buffer.from(VALID) }), VALID);
  assert.equal(traceParentFromHeaders({ [TRACEPARENT_HEADER]: VALID }), VALID);
  assert.equal(traceParentFromHeaders({ [TRACEPARENT_HEADER]: [Buffer.from(VALID), 'other'] }), VALID);
  assert.equal(traceParentFromHeaders({ [TRACEPARENT_HEADER]: 'garbage' }), undefined);
  assert.equal(traceParentFromHeaders({ 'ey-event-id': '1' }), undefined);
  assert.equal(traceParentFromHeaders(undefined), undefined);
});

test('withTraceParent adds the header to a copy, and leaves headers alone without a trace', () => {
  const headers = { 'ey-event-id': '1' };
  assert.deepEqual(withTraceParent(headers, VALID), { 'ey-event-id': '1', traceparent: VALID });
  assert.deepEqual(headers, { 'ey-event-id': '1' }, 'the original is not changed');
  assert.equal(withTraceParent(headers, ''), headers);
  assert.equal(withTraceParent(headers, undefined), headers);
});

test('without an exporter the tracer records nothing and passes the traceparent through', () => {
  assert.equal(tracer(), passThroughTracer);
  assert.equal(tracer().recording, false);
  const child = tracer().startSpan('process eventyard.ingest', { kind: 'consumer', parent: VALID, links: [VALID] });
  assert.equal(child.traceParent, VALID, 'downstream sees the last recorded span');
  assert.equal(child.traceId, '0af7651916cd43dd8448eb211c80319c');
  child.addEvent('eventyard.filtered');
  child.fail(new Error('x'));
  child.end();
  assert.equal(
    child.run(() => 42),
    42,
  );

  const none = tracer().startSpan('process eventyard.ingest', { kind: 'consumer', parent: 'garbage' });
  assert.equal(none.traceParent, '', 'no trace to carry');
  assert.equal(none.traceId, '');

  const started = tracer().startSpan('Report', { kind: 'server', startTrace: true });
  assert.equal(parseTraceParent(started.traceParent)?.traceId, started.traceId, 'Report starts a trace');
  const continued = tracer().startSpan('Report', { kind: 'server', parent: VALID, startTrace: true });
  assert.equal(continued.traceParent, VALID, 'an incoming trace is continued');
});

test('tracesConfigured: only an exporter or an OTLP endpoint loads the SDK; none and OTEL_SDK_DISABLED win', () => {
  assert.equal(tracesConfigured({}), false);
  assert.equal(tracesConfigured({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), false);
  assert.equal(tracesConfigured({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
  assert.equal(tracesConfigured({ OTEL_TRACES_EXPORTER: 'console' }), true);
  assert.equal(tracesConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracesConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
  assert.equal(tracesConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), false);
  assert.equal(tracesConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false);
  assert.equal(tracesConfigured({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }), false);
});
