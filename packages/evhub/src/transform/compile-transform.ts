// A processor's `transform`: a JSONata expression (https://jsonata.org, the `jsonata` package) that
// reshapes an event's JSON payload before delivery. Compiled once, when the processor is saved (a
// syntax error is a 400 naming the error and its position) and again per config version by the
// dispatcher; evaluated under JSONata's own guardrails (a time budget checked at every evaluation step,
// a depth limit, a longest sequence) with regular expressions on RE2 (re2-regex-engine.ts).
import { createRequire } from 'node:module';
import type jsonata from 'jsonata';
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { re2Of, Re2RegexEngine } from './re2-regex-engine.ts';

/**
 * JSONata itself, required on the first compile (a CommonJS package, so synchronously): every service
 * imports this package, few of them ever meet a processor with a transform.
 */
let jsonataModule: typeof jsonata | undefined;
function loadJsonata(): typeof jsonata {
  jsonataModule ??= createRequire(import.meta.url)('jsonata') as typeof jsonata;
  return jsonataModule;
}

/** Longest expression, characters. */
export const MAX_TRANSFORM_LENGTH = 16_384;

export interface TransformLimits {
  /** Evaluation time budget, ms, checked at every evaluation step. @default 100 */
  timeoutMs: number;
  /** Deepest evaluation nesting (runaway recursion). @default 500 */
  maxDepth: number;
  /** Longest sequence an evaluation may build (`[1..1e9]`). @default 100_000 */
  maxSequence: number;
  /** Largest output, bytes of JSON (body and headers). @default 1_048_576 */
  maxOutputBytes: number;
}

export const DEFAULT_TRANSFORM_LIMITS: Readonly<TransformLimits> = Object.freeze({
  timeoutMs: 100,
  maxDepth: 500,
  maxSequence: 100_000,
  maxOutputBytes: 1_048_576,
});

/** A compiled expression; `evaluate` may be called concurrently. */
export interface CompiledTransform {
  readonly source: string;
  readonly limits: Readonly<TransformLimits>;
  /** Rejects with JSONata's error object ({code, message, position?}) on failure. */
  evaluate(input: unknown, bindings: Record<string, unknown>): Promise<unknown>;
}

/** JSONata's error shape (plain objects, not Error instances). */
export interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

/**
 * Compiles `expression`; throws a ValidationError (EY_INVALID_TRANSFORM, HTTP 400) naming `field`, the
 * JSONata error code and the position, e.g. `transform: syntax error at position 9: Expected "}" before
 * end of expression (S0203)`.
 */
export function compileTransform(expression: string, field = 'transform', limits: Partial<TransformLimits> = {}): CompiledTransform {
  if (expression.trim() === '') throw invalidTransform(field, 'must not be empty (use null for no transform)');
  if (expression.length > MAX_TRANSFORM_LENGTH) throw invalidTransform(field, `must be at most ${MAX_TRANSFORM_LENGTH} characters`);
  const resolved = Object.freeze({ ...DEFAULT_TRANSFORM_LIMITS, ...limits });
  let compiled: jsonata.Expression;
  try {
    compiled = loadJsonata()(expression, {
      RegexEngine: Re2RegexEngine as unknown as RegExpConstructor,
      timeout: resolved.timeoutMs,
      stack: resolved.maxDepth,
      sequence: resolved.maxSequence,
    });
  } catch (err) {
    throw invalidTransform(field, `syntax error ${describeJsonataFailure(err)}`);
  }
  const refused = findUnsupportedRegex(compiled.ast());
  if (refused !== undefined) throw invalidTransform(field, refused);
  return Object.freeze({
    source: expression,
    limits: resolved,
    evaluate: (input: unknown, bindings: Record<string, unknown>) => compiled.evaluate(input, bindings),
  });
}

/** `at position 9: Expected "}" … (S0203)` from a JSONata error (or any thrown value). */
export function describeJsonataFailure(err: unknown): string {
  if (typeof err !== 'object' || err === null) return `: ${String(err)}`;
  const { code, message, position } = err as JsonataFailure;
  const where = typeof position === 'number' ? `at position ${position}` : '';
  const text = typeof message === 'string' && message !== '' ? message : 'unknown error';
  return `${where}: ${text}${typeof code === 'string' ? ` (${code})` : ''}`.trimStart();
}

function invalidTransform(field: string, problem: string): ValidationError {
  return new ValidationError(EvhubErrors.EY_INVALID_TRANSFORM, `${field}: ${problem}`, { context: { field } });
}

/** Regex literals RE2 cannot run (backreferences, lookarounds), refused at save rather than per delivery. */
function findUnsupportedRegex(node: unknown, depth = 0): string | undefined {
  if (depth > 1000 || typeof node !== 'object' || node === null) return undefined;
  if (node instanceof RegExp) {
    const re = re2Of(node);
    return typeof re === 'string' ? re : undefined;
  }
  for (const value of Object.values(node)) {
    const found = findUnsupportedRegex(value, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
