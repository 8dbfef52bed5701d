// A processor's `circuit_breaker`: when the dispatcher stops calling a failing endpoint (deliveries wait
// in the processor's delivery topic instead of burning their retries), how it probes it again, and after
// how long a processor failing without a break is paused for good (until an operator resumes it).
// Stored as given (null = every default); circuitBreakerOf fills in the defaults, so a default changed
// in a later release applies to every processor that did not set the field.
import type { ConfigField } from './config-field.ts';
import { bool, invalid, nonNegativeInt, plainObject } from './field-checks.ts';

export interface CircuitBreakerInput {
  /** false = never open the breaker (auto-pause still applies). @default true */
  enabled?: boolean;
  /** Open after this many failed attempts in a row; 0 = no count trigger. @default 10 */
  consecutive_failures?: number;
  /** Open when at least this share of the attempts in the window failed, percent; 0 = no ratio trigger. @default 50 */
  failure_ratio_percent?: number;
  /** Length of the sliding window of the ratio trigger, ms. @default 60000 */
  window_ms?: number;
  /** Attempts the window must hold before the ratio trigger may open the breaker. @default 20 */
  min_calls?: number;
  /** Wait before the first half-open probe, ms; doubled after every failed probe. @default 5000 */
  probe_interval_ms?: number;
  /** Cap of the probe backoff, ms. @default 300000 */
  max_probe_interval_ms?: number;
  /** Pause the processor once it has failed without a single success for this long, ms; 0 = never. @default 432000000 (5 days) */
  auto_pause_after_ms?: number;
}

export type CircuitBreakerConfig = Required<CircuitBreakerInput>;

/** The defaults, documented in the README's processor reference. */
export const CIRCUIT_BREAKER_DEFAULTS: Readonly<CircuitBreakerConfig> = Object.freeze({
  enabled: true,
  consecutive_failures: 10,
  failure_ratio_percent: 50,
  window_ms: 60_000,
  min_calls: 20,
  probe_interval_ms: 5_000,
  max_probe_interval_ms: 300_000,
  auto_pause_after_ms: 5 * 24 * 3600 * 1000,
});

const DAY_MS = 24 * 3600 * 1000;
/** Bounds per field: [smallest, largest]; auto_pause_after_ms and the triggers also take 0 (off). */
const BOUNDS: Readonly<Record<Exclude<keyof CircuitBreakerConfig, 'enabled'>, readonly [number, number]>> = {
  consecutive_failures: [1, 1_000_000],
  failure_ratio_percent: [1, 100],
  window_ms: [1_000, DAY_MS],
  min_calls: [1, 1_000_000],
  probe_interval_ms: [100, DAY_MS],
  max_probe_interval_ms: [100, 7 * DAY_MS],
  auto_pause_after_ms: [1_000, 365 * DAY_MS - 1],
};
const ZERO_IS_OFF = new Set(['consecutive_failures', 'failure_ratio_percent', 'auto_pause_after_ms']);

/** Validates `circuit_breaker`; returns null (all defaults) or the object with only the fields set. */
export function normalizeCircuitBreaker(value: unknown, field: string): CircuitBreakerInput | null {
  if (value === undefined || value === null) return null;
  const input = plainObject(value, field);
  const out: CircuitBreakerInput = {};
  for (const [name, inner] of Object.entries(input)) {
    const path = `${field}.${name}`;
    if (!(name in CIRCUIT_BREAKER_FIELDS)) throw invalid(path, `is not a known field (${Object.keys(CIRCUIT_BREAKER_FIELDS).join(', ')})`);
    if (inner === undefined || inner === null) continue;
    if (name === 'enabled') {
      out.enabled = bool(inner, path);
      continue;
    }
    const key = name as keyof typeof BOUNDS;
    const [min, max] = BOUNDS[key];
    const number = nonNegativeInt(inner, path, 0, max);
    if (number < min && !(number === 0 && ZERO_IS_OFF.has(key))) throw invalid(path, `must be at least ${min}${ZERO_IS_OFF.has(key) ? ' (or 0 = off)' : ''}`);
    out[key] = number;
  }
  const full = { ...CIRCUIT_BREAKER_DEFAULTS, ...out };
  if (full.max_probe_interval_ms < full.probe_interval_ms) {
    throw invalid(`${field}.max_probe_interval_ms`, `must be at least probe_interval_ms (${full.probe_interval_ms})`);
  }
  return out;
}

/** Every setting of a stored `circuit_breaker` (null or partial), defaults filled in. Throws like normalizeCircuitBreaker. */
export function circuitBreakerOf(stored: unknown, field = 'circuit_breaker'): CircuitBreakerConfig {
  return Object.freeze({ ...CIRCUIT_BREAKER_DEFAULTS, ...normalizeCircuitBreaker(stored, field) });
}

const ms = (description: string): ConfigField => ({ type: 'integer', description });

export const CIRCUIT_BREAKER_FIELDS: Readonly<Record<keyof CircuitBreakerConfig, ConfigField>> = {
  enabled: { type: 'boolean', description: 'false = never open the breaker (auto-pause still applies); default true' },
  consecutive_failures: { type: 'integer', description: 'Open after this many failed attempts in a row; 0 = off; default 10' },
  failure_ratio_percent: { type: 'integer', description: 'Open when this share (percent) of the attempts in the window failed; 0 = off; default 50' },
  window_ms: ms('Sliding window of the ratio trigger, ms; default 60000'),
  min_calls: { type: 'integer', description: 'Attempts the window must hold before the ratio may open the breaker; default 20' },
  probe_interval_ms: ms('Wait before the first half-open probe, ms, doubled after each failed probe; default 5000'),
  max_probe_interval_ms: ms('Cap of the probe backoff, ms; default 300000'),
  auto_pause_after_ms: ms('Pause the processor after failing without a success for this long, ms; 0 = never; default 432000000 (5 days)'),
};
