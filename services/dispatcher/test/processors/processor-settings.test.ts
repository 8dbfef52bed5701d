// Processor rows into dispatch settings, with defaults and fallbacks for values the domain modules refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessorRecord } from '@eventyard/db';
import { processorRecord } from '@eventyard/db/testing';
import { processorSettings } from '../../src/processors/processor-settings.ts';

function record(fields: Partial<ProcessorRecord>): ProcessorRecord {
  return processorRecord({ app_id: 'a', topic_id: 't', addr: 'h:1', is_retry: null, ...fields });
}

const defaults = { timeoutMs: 5000, concurrency: 16 };

test('defaults for timeout 0 and concurrency 0; is_retry not set (null) leaves retries to retry_strategy', () => {
  const s = processorSettings(record({ retry_strategy: { retry_count: 3, retry_interval: 100 } }), defaults);
  assert.equal(s.timeoutMs, 5000);
  assert.equal(s.concurrency, 16);
  assert.equal(s.retry.maxAttempts, 3);
  assert.equal(s.retry.enabled, true);
  assert.equal(s.qps, 0);
  assert.equal(s.halted, false);
  assert.deepEqual(s.problems, []);
});

test('is_retry false means one attempt whatever retry_strategy says; true keeps them', () => {
  const off = processorSettings(record({ retry_strategy: { retry_count: 3, retry_interval: 100 }, is_retry: false }), defaults);
  assert.equal(off.retry.enabled, false);
  assert.deepEqual(off.problems, []);
  assert.equal(processorSettings(record({ retry_strategy: { retry_count: 3 }, is_retry: true }), defaults).retry.enabled, true);
});

test('qps only with is_flow_control; is_stop and paused halt the consumer', () => {
  assert.equal(processorSettings(record({ flow_control_strategy: { qps: 50 } }), defaults).qps, 0);
  assert.equal(processorSettings(record({ is_flow_control: true, flow_control_strategy: { qps: 50 } }), defaults).qps, 50);
  assert.equal(processorSettings(record({ is_stop: true }), defaults).halted, true);
  assert.equal(processorSettings(record({ paused: true }), defaults).halted, true);
});

test('an out-of-range stored retry_strategy falls back to one attempt and is reported', () => {
  const s = processorSettings(record({ retry_strategy: { retry_count: 5000 } }), defaults);
  assert.equal(s.retry.maxAttempts, 1);
  assert.match(s.problems[0] ?? '', /retry_strategy\.retry_count/);
});
