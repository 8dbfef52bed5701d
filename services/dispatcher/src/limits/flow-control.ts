// Reads a processor's EvHub flow control (`is_flow_control`, `flow_control_strategy {qps,
// strategy_type}`) into the rate the dispatcher enforces. `is_flow_control: false` turns it off;
// absent leaves it to `qps` (0 or absent = unlimited), mirroring how `is_retry` is read.
// `strategy_type` is accepted and ignored: EvHub defined no values, and a token bucket is the one we run.
import { ValidationError } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';

/** Highest accepted `qps`. */
export const MAX_QPS = 1_000_000;

export interface FlowControl {
  /** Deliveries per second; 0 = unlimited. */
  readonly qps: number;
}

/**
 * @throws ValidationError (EY_INVALID_FLOW_CONTROL) naming the field, e.g.
 *   `flow_control_strategy.qps: must be a number >= 0, got -5`.
 */
export function flowControlOf(processor: { readonly is_flow_control?: unknown; readonly flow_control_strategy?: unknown }): FlowControl {
  const enabled = processor.is_flow_control;
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') {
    throw invalid('is_flow_control', `must be true or false, got ${typeof enabled}`);
  }
  const strategy = processor.flow_control_strategy;
  if (strategy === undefined || strategy === null) return { qps: 0 };
  if (typeof strategy !== 'object' || Array.isArray(strategy)) {
    throw invalid('flow_control_strategy', `must be an object, got ${Array.isArray(strategy) ? 'array' : typeof strategy}`);
  }
  const { qps, strategy_type: strategyType } = strategy as { qps?: unknown; strategy_type?: unknown };
  if (strategyType !== undefined && strategyType !== null && typeof strategyType !== 'string') {
    throw invalid('flow_control_strategy.strategy_type', `must be a string, got ${typeof strategyType}`);
  }
  if (qps === undefined || qps === null) return { qps: 0 };
  if (typeof qps !== 'number' || !Number.isFinite(qps)) throw invalid('flow_control_strategy.qps', `must be a number, got ${typeof qps}`);
  if (qps < 0) throw invalid('flow_control_strategy.qps', `must be a number >= 0, got ${qps}`);
  if (qps > MAX_QPS) throw invalid('flow_control_strategy.qps', `must be at most ${MAX_QPS}, got ${qps}`);
  return { qps: enabled === false ? 0 : qps };
}

function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(DispatcherErrors.EY_INVALID_FLOW_CONTROL, `${field}: ${problem}`, { context: { field } });
}
