// Reading is_flow_control / flow_control_strategy into the enforced rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { flowControlOf } from '../../src/limits/index.ts';

test('qps applies unless is_flow_control is false; absent means unlimited', () => {
  assert.deepEqual(flowControlOf({}), { qps: 0 });
  assert.deepEqual(flowControlOf({ flow_control_strategy: { qps: 50 } }), { qps: 50 });
  assert.deepEqual(flowControlOf({ is_flow_control: true, flow_control_strategy: { qps: 50, strategy_type: 'anything' } }), { qps: 50 });
  assert.deepEqual(flowControlOf({ is_flow_control: false, flow_control_strategy: { qps: 50 } }), { qps: 0 });
  assert.deepEqual(flowControlOf({ is_flow_control: true, flow_control_strategy: {} }), { qps: 0 });
  assert.deepEqual(flowControlOf({ flow_control_strategy: { qps: 0.5 } }), { qps: 0.5 });
});

test('bad values are refused naming the field', () => {
  const cases: Array<[Parameters<typeof flowControlOf>[0], string]> = [
    [{ flow_control_strategy: { qps: -5 } }, 'flow_control_strategy.qps: must be a number >= 0, got -5'],
    [{ flow_control_strategy: { qps: '5' } }, 'flow_control_strategy.qps: must be a number, got string'],
    [{ flow_control_strategy: { qps: 2_000_000 } }, 'flow_control_strategy.qps: must be at most 1000000, got 2000000'],
    [{ flow_control_strategy: 5 }, 'flow_control_strategy: must be an object, got number'],
    [{ flow_control_strategy: { strategy_type: 1 } }, 'flow_control_strategy.strategy_type: must be a string, got number'],
    [{ is_flow_control: 'yes' }, 'is_flow_control: must be true or false, got string'],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => flowControlOf(input),
      (err: unknown) => isEventyardError(err) && err.code === DispatcherErrors.EY_INVALID_FLOW_CONTROL.code && err.message === message,
      message,
    );
  }
});
