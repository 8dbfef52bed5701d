// Validates a processor's JSON payload filter when the processor is saved and compiles it into a
// tree of closures, so routing an event costs only the comparisons (no re-parsing, no spec walking).
// Every refusal is a ValidationError (EY_INVALID_FILTER) whose message starts with the path of the
// bad part, e.g. `filter.$and[1].amount: unknown operator "$gtt" (did you mean "$gt"?)`.
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { isPlainObject, jsonProblem, jsonTypeName } from './json-value.ts';
import { DEFAULT_MAX_PATH_LENGTH, parsePath, type ParsedPath } from './json-path.ts';
import { compileSafeRegex, DEFAULT_MAX_REGEX_LENGTH } from './safe-regex.ts';
import {
  anyMatch,
  comparePredicate,
  equalsPredicate,
  existMatcher,
  FIELD_OPERATORS,
  memberPredicate,
  noneMatch,
  regexPredicate,
  type Matcher,
} from './operators.ts';

/** Error code of every filter validation failure. */
export const INVALID_FILTER = EvhubErrors.EY_INVALID_FILTER.code;

/** Bounds a filter must stay within; they keep a stored filter cheap to evaluate on every event. */
export interface FilterLimits {
  /** Nesting of `$and`/`$or` and nested field objects (the filter object itself is level 1). @default 16 */
  readonly maxDepth: number;
  /** Operators in the whole filter (a plain value counts as one `$eq`). @default 256 */
  readonly maxConditions: number;
  /** Entries of one `$in`/`$nin`/`$and`/`$or` list. @default 1000 */
  readonly maxListLength: number;
  /** Characters of one `$regex` pattern. @default 256 */
  readonly maxRegexLength: number;
  /** Characters of one dotted field path. @default 256 */
  readonly maxPathLength: number;
}

export const DEFAULT_FILTER_LIMITS: Readonly<FilterLimits> = Object.freeze({
  maxDepth: 16,
  maxConditions: 256,
  maxListLength: 1000,
  maxRegexLength: DEFAULT_MAX_REGEX_LENGTH,
  maxPathLength: DEFAULT_MAX_PATH_LENGTH,
});

/** A validated payload filter, ready to test parsed JSON payloads. */
export interface CompiledFilter {
  /** True for an absent, null or `{}` filter: everything matches and the payload need not be parsed. */
  readonly isEmpty: boolean;
  /** Tests one parsed JSON payload; never throws. */
  matches(payload: unknown): boolean;
}

const MATCH_ALL: CompiledFilter = Object.freeze({ isEmpty: true, matches: () => true });

const LOGICAL_OPERATORS = ['$and', '$or'] as const;
const KNOWN_OPERATORS: readonly string[] = [...FIELD_OPERATORS, ...LOGICAL_OPERATORS];
const FIELD_OPERATOR_SET: ReadonlySet<string> = new Set(FIELD_OPERATORS);

interface Context {
  readonly limits: FilterLimits;
  readonly root: string;
  conditions: number;
}

/**
 * Validates `spec` and compiles it. `null`, `undefined` and `{}` give a filter that matches everything.
 * @param root name used at the start of error paths. @default "filter"
 * @throws ValidationError with code EY_INVALID_FILTER naming the bad path and operator.
 */
export function compileFilter(spec: unknown, limits: Partial<FilterLimits> = {}, root = 'filter'): CompiledFilter {
  if (spec === undefined || spec === null) return MATCH_ALL;
  if (!isPlainObject(spec)) fail(root, `must be a JSON object, got ${jsonTypeName(spec)}`);
  if (Object.keys(spec).length === 0) return MATCH_ALL;
  const context: Context = { limits: { ...DEFAULT_FILTER_LIMITS, ...limits }, root, conditions: 0 };
  const matcher = compileObject(context, spec, [], root, 1);
  return Object.freeze({ isEmpty: false, matches: (payload: unknown) => matcher(payload) });
}

function fail(where: string, problem: string): never {
  throw new ValidationError(EvhubErrors.EY_INVALID_FILTER, `${where}: ${problem}`, { context: { field: where } });
}

/** A filter object: field conditions and `$and`/`$or`, all of which must hold (implicit AND). */
function compileObject(context: Context, spec: Record<string, unknown>, base: ParsedPath, where: string, depth: number): Matcher {
  if (depth > context.limits.maxDepth) fail(where, `nested deeper than ${context.limits.maxDepth} levels`);
  const keys = Object.keys(spec);
  if (keys.length === 0) fail(where, 'empty filter object (only the whole filter may be {}, meaning "match everything")');
  const parts: Matcher[] = [];
  for (const key of keys) {
    const value = spec[key];
    if (key === '$and' || key === '$or') {
      parts.push(compileLogical(context, key, value, base, `${where}.${key}`, depth));
    } else if (FIELD_OPERATOR_SET.has(key)) {
      fail(where, `operator "${key}" must apply to a field: {"<field>": {"${key}": …}}`);
    } else if (key.startsWith('$')) {
      fail(where, `${unknownOperator(key)}; only "$and" and "$or" may stand beside field names`);
    } else {
      const path = parsePath(key, context.limits.maxPathLength);
      if (typeof path === 'string') fail(`${where}.${key}`, path);
      parts.push(compileField(context, [...base, ...path], value, `${where}.${key}`, depth));
    }
  }
  return allOf(parts);
}

function compileLogical(context: Context, op: '$and' | '$or', value: unknown, base: ParsedPath, where: string, depth: number): Matcher {
  if (!Array.isArray(value) || value.length === 0) fail(where, `"${op}" expects a non-empty array of filter objects, got ${jsonTypeName(value)}`);
  if (value.length > context.limits.maxListLength) fail(where, `"${op}" has more than ${context.limits.maxListLength} entries`);
  const parts = value.map((item: unknown, i) => {
    if (!isPlainObject(item)) fail(`${where}[${i}]`, `must be a filter object, got ${jsonTypeName(item)}`);
    return compileObject(context, item, base, `${where}[${i}]`, depth + 1);
  });
  return op === '$and' ? allOf(parts) : anyOf(parts);
}

/** One field's condition: an operator object, a nested object of sub-fields, or a plain value (`$eq`). */
function compileField(context: Context, path: ParsedPath, value: unknown, where: string, depth: number): Matcher {
  if (!isPlainObject(value)) return compileOperator(context, path, '$eq', value, {}, where);
  const keys = Object.keys(value);
  if (keys.length === 0) fail(where, 'empty object: use {"$eq": {}} to match an empty object, or {"$exist": true} to test presence');
  const operators = keys.filter((key) => key.startsWith('$'));
  if (operators.length === 0) return compileObject(context, value, path, where, depth + 1);
  if (operators.length !== keys.length) {
    const field = keys.find((key) => !key.startsWith('$')) ?? '';
    fail(where, `mixes operators ("${operators[0]}") and field names ("${field}") in one object`);
  }
  const parts: Matcher[] = [];
  for (const op of operators) {
    if (op === '$options') {
      if (!Object.hasOwn(value, '$regex')) fail(where, '"$options" is only allowed beside "$regex"');
      continue;
    }
    parts.push(compileOperator(context, path, op, value[op], value, where));
  }
  return allOf(parts);
}

function compileOperator(context: Context, path: ParsedPath, op: string, operand: unknown, siblings: Record<string, unknown>, where: string): Matcher {
  if (op === '$and' || op === '$or') fail(where, `"${op}" combines filter objects and cannot apply to a field: {"${op}": [{"<field>": …}, …]}`);
  if (!FIELD_OPERATOR_SET.has(op)) fail(where, unknownOperator(op));
  context.conditions++;
  if (context.conditions > context.limits.maxConditions) fail(context.root, `more than ${context.limits.maxConditions} conditions`);
  switch (op) {
    case '$eq':
    case '$neq': {
      assertJson(context, operand, op, where);
      const predicate = equalsPredicate(operand);
      return op === '$eq' ? anyMatch(path, predicate) : noneMatch(path, predicate);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof operand === 'number' ? !Number.isFinite(operand) : typeof operand !== 'string') {
        fail(where, `"${op}" expects a number or a string, got ${jsonTypeName(operand)}`);
      }
      return anyMatch(path, comparePredicate(op, operand as number | string));
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) fail(where, `"${op}" expects an array, got ${jsonTypeName(operand)}`);
      if (operand.length > context.limits.maxListLength) fail(where, `"${op}" has more than ${context.limits.maxListLength} entries`);
      assertJson(context, operand, op, where);
      const predicate = memberPredicate(operand);
      return op === '$in' ? anyMatch(path, predicate) : noneMatch(path, predicate);
    }
    case '$exist':
      if (typeof operand !== 'boolean') fail(where, `"$exist" expects true or false, got ${jsonTypeName(operand)}`);
      return existMatcher(path, operand);
    case '$regex': {
      if (typeof operand !== 'string') fail(where, `"$regex" expects a string, got ${jsonTypeName(operand)}`);
      const options = siblings['$options'] ?? '';
      if (typeof options !== 'string') fail(where, `"$options" expects a string of flags, got ${jsonTypeName(options)}`);
      const regex = compileSafeRegex(operand, options, context.limits.maxRegexLength);
      if (typeof regex === 'string') fail(where, `"$regex" ${regex}`);
      return anyMatch(path, regexPredicate(regex));
    }
    default:
      return fail(where, unknownOperator(op));
  }
}

function assertJson(context: Context, operand: unknown, op: string, where: string): void {
  const problem = jsonProblem(operand, context.limits.maxDepth);
  if (problem !== null) fail(where, `"${op}" operand: ${problem}`);
}

function allOf(parts: readonly Matcher[]): Matcher {
  const [first, second] = parts;
  if (parts.length === 1 && first) return first;
  if (parts.length === 2 && first && second) return (payload) => first(payload) && second(payload);
  return (payload) => {
    for (const part of parts) if (!part(payload)) return false;
    return true;
  };
}

function anyOf(parts: readonly Matcher[]): Matcher {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  return (payload) => {
    for (const part of parts) if (part(payload)) return true;
    return false;
  };
}

/** `unknown operator "$gtt" (did you mean "$gt"?)`, suggesting a known operator within two edits. */
function unknownOperator(op: string): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of KNOWN_OPERATORS) {
    const distance = editDistance(op, known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best === null ? `unknown operator "${op}"` : `unknown operator "${op}" (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 32) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
