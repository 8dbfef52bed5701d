// A processor's retry policy, parsed and validated once from its EvHub `retry_strategy`
// `{retry_count, retry_interval, strategy_type}` and `is_retry`, plus our `max_interval` extension.
// Decisions where EvHub is silent or odd (list them in the README):
//   - `retry_count` is the total number of attempts including the first; 0, 1 or absent = one attempt.
//   - `retry_interval` absent = 1000 ms (EvHub's Go zero value retried at once, hammering a consumer
//     that had just failed); an explicit 0 still means "retry immediately".
//   - `strategy_type` "" / "fixed" / absent = fixed interval; "exponential" = interval·2^(n-1) with
//     equal jitter, capped at `max_interval` (default 1 h). Matching ignores case and surrounding spaces.
//   - `is_retry: false` disables retries. EvHub ignored `is_retry` entirely; we honour an explicit
//     false and treat absent as true, so configs that only set `retry_count` keep retrying.
import { ValidationError } from '@eventyard/core';
import { DispatcherErrors } from '../error-codes.ts';

/** Highest accepted `retry_count`. */
export const MAX_RETRY_COUNT = 1000;
/** Longest accepted `retry_interval` / `max_interval`: 30 days, the longest delay the scheduler takes. */
export const MAX_RETRY_INTERVAL_MS = 30 * 24 * 3_600_000;
/** `retry_interval` when the processor leaves it out. */
export const DEFAULT_RETRY_INTERVAL_MS = 1000;
/** Cap on one exponential delay when `max_interval` is not set. */
export const DEFAULT_MAX_INTERVAL_MS = 3_600_000;
/** Cap on how far a consumer's `Retry-After` may push a retry. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;

export const RetryStrategyType = { fixed: 'fixed', exponential: 'exponential' } as const;
export type RetryStrategyType = (typeof RetryStrategyType)[keyof typeof RetryStrategyType];

/** A validated, frozen retry policy. */
export interface RetryPolicy {
  /** Total attempts including the first; at least 1. */
  readonly maxAttempts: number;
  /** Base delay between attempts, ms. */
  readonly intervalMs: number;
  readonly strategy: RetryStrategyType;
  /** Cap on one exponential delay, ms (a fixed interval is used as configured). */
  readonly maxIntervalMs: number;
  /** Cap on a consumer's `Retry-After`, ms. */
  readonly maxRetryAfterMs: number;
  /** False when the processor says `is_retry: false`. */
  readonly enabled: boolean;
}

export interface RetryPolicyOptions {
  /** The processor's `is_retry`; absent means retries are allowed. */
  readonly isRetry?: unknown;
  /** @default 1000 */
  readonly defaultIntervalMs?: number;
  /** Used when `retry_strategy.max_interval` is absent. @default 3_600_000 */
  readonly maxIntervalMs?: number;
  /** @default 3_600_000 */
  readonly maxRetryAfterMs?: number;
}

/** The policy of a processor with no `retry_strategy`: one attempt. */
export const NO_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 1,
  intervalMs: DEFAULT_RETRY_INTERVAL_MS,
  strategy: RetryStrategyType.fixed,
  maxIntervalMs: DEFAULT_MAX_INTERVAL_MS,
  maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
  enabled: true,
});

/**
 * Validates a processor's `retry_strategy` (and `is_retry` through options) into a RetryPolicy.
 * @throws ValidationError (EY_INVALID_RETRY_STRATEGY) naming the field, e.g.
 *   `retry_strategy.retry_count: must be a non-negative integer, got -1`.
 */
export function parseRetryStrategy(raw: unknown, options: RetryPolicyOptions = {}): RetryPolicy {
  const enabled = parseIsRetry(options.isRetry);
  const defaults = {
    intervalMs: options.defaultIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS,
    maxIntervalMs: options.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
  };
  if (raw === undefined || raw === null) return Object.freeze({ ...NO_RETRY_POLICY, ...defaults, enabled });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('retry_strategy', `must be an object, got ${typeName(raw)}`);
  const fields = raw as Record<string, unknown>;
  const retryCount = integerField(fields, 'retry_count', 0, MAX_RETRY_COUNT) ?? 0;
  const intervalMs = integerField(fields, 'retry_interval', 0, MAX_RETRY_INTERVAL_MS) ?? defaults.intervalMs;
  const maxIntervalMs = integerField(fields, 'max_interval', 1, MAX_RETRY_INTERVAL_MS) ?? defaults.maxIntervalMs;
  return Object.freeze({
    maxAttempts: Math.max(1, retryCount),
    intervalMs,
    strategy: parseStrategyType(fields['strategy_type']),
    maxIntervalMs,
    maxRetryAfterMs: defaults.maxRetryAfterMs,
    enabled,
  });
}

/**
 * The retry policy of a processor config (`retry_strategy` and `is_retry` together).
 * @throws ValidationError (EY_INVALID_RETRY_STRATEGY) naming the field.
 */
export function retryPolicyOf(
  processor: { readonly retry_strategy?: unknown; readonly is_retry?: unknown },
  options: Omit<RetryPolicyOptions, 'isRetry'> = {},
): RetryPolicy {
  return parseRetryStrategy(processor.retry_strategy, { ...options, isRetry: processor.is_retry });
}

function parseIsRetry(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw invalid('is_retry', `must be true or false, got ${typeName(value)}`);
  return value;
}

function parseStrategyType(value: unknown): RetryStrategyType {
  if (value === undefined || value === null) return RetryStrategyType.fixed;
  if (typeof value !== 'string') throw invalid('retry_strategy.strategy_type', `must be a string, got ${typeName(value)}`);
  const normalised = value.trim().toLowerCase();
  if (normalised === '' || normalised === RetryStrategyType.fixed) return RetryStrategyType.fixed;
  if (normalised === RetryStrategyType.exponential) return RetryStrategyType.exponential;
  throw invalid('retry_strategy.strategy_type', `unknown strategy ${JSON.stringify(value)} (expected "fixed" or "exponential")`);
}

/** Reads an optional integer field in [min, max]; null/absent gives undefined. */
function integerField(fields: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  const field = `retry_strategy.${name}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, `must be a number, got ${typeName(value)}`);
  if (!Number.isInteger(value) || value < min) {
    throw invalid(field, `must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${value}`);
  }
  if (value > max) throw invalid(field, `must be at most ${max}, got ${value}`);
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}

function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(DispatcherErrors.EY_INVALID_RETRY_STRATEGY, `${field}: ${problem}`, { context: { field } });
}
