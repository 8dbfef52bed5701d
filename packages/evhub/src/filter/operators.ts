// The field operators of the payload filter, each turned into a matcher over a parsed path once, at
// compile time. Semantics every operator shares (documented for users in index.ts):
//   - a path that reaches nothing is a non-match for every operator except `$exist: false`;
//   - no coercion: a value of another type than the operand is a non-match ("5" never equals 5);
//   - when the value is an array, positive operators match if the array itself or any element
//     matches; `$neq`/`$nin` are their negations over a present value ("no element equals").
import { isJsonScalar, jsonEqual } from './json-value.ts';
import { someValueAt, type ParsedPath } from './json-path.ts';
import type { SafeRegex } from './safe-regex.ts';

/** Tests one parsed payload. */
export type Matcher = (payload: unknown) => boolean;

/** Tests one value the path reached (before array fan-out). */
type Predicate = (value: unknown) => boolean;

/** The field operators a filter may use. */
export const FIELD_OPERATORS = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exist', '$regex', '$options'] as const;

/** Matches when some value at `path`, or some element of it, satisfies `predicate`. */
export function anyMatch(path: ParsedPath, predicate: Predicate): Matcher {
  const test = (value: unknown): boolean => predicate(value) || (Array.isArray(value) && value.some(predicate));
  return (payload) => someValueAt(payload, path, test);
}

/** Matches when the path reaches at least one value and none of them (nor their elements) satisfies `predicate`. */
export function noneMatch(path: ParsedPath, predicate: Predicate): Matcher {
  return (payload) => {
    let reached = false;
    const hit = someValueAt(payload, path, (value) => {
      reached = true;
      return predicate(value) || (Array.isArray(value) && value.some(predicate));
    });
    return reached && !hit;
  };
}

/** `$exist: true` matches a present value (null included); `$exist: false` matches a missing one. */
export function existMatcher(path: ParsedPath, shouldExist: boolean): Matcher {
  const reached = (): boolean => true;
  return shouldExist ? (payload) => someValueAt(payload, path, reached) : (payload) => !someValueAt(payload, path, reached);
}

/** Equality with no coercion; object and array operands compare structurally. */
export function equalsPredicate(operand: unknown): Predicate {
  if (isJsonScalar(operand)) return (value) => value === operand;
  return (value) => jsonEqual(value, operand);
}

/** Membership in a list: scalars through a Set (exact type), objects/arrays structurally. */
export function memberPredicate(operands: readonly unknown[]): Predicate {
  const scalars = new Set<unknown>();
  const structured: unknown[] = [];
  for (const operand of operands) {
    if (isJsonScalar(operand)) scalars.add(operand);
    else structured.push(operand);
  }
  if (structured.length === 0) return (value) => scalars.has(value);
  return (value) => (isJsonScalar(value) ? scalars.has(value) : structured.some((operand) => jsonEqual(value, operand)));
}

export type Comparison = '$gt' | '$gte' | '$lt' | '$lte';

/** Ordering between values of the operand's type only: numbers numerically, strings by UTF-16 code units. */
export function comparePredicate(op: Comparison, operand: number | string): Predicate {
  const type = typeof operand;
  switch (op) {
    case '$gt':
      return (value) => typeof value === type && (value as number | string) > operand;
    case '$gte':
      return (value) => typeof value === type && (value as number | string) >= operand;
    case '$lt':
      return (value) => typeof value === type && (value as number | string) < operand;
    case '$lte':
      return (value) => typeof value === type && (value as number | string) <= operand;
  }
}

/** Strings only; RE2's `test` is unanchored and keeps no state between events. */
export function regexPredicate(regex: SafeRegex): Predicate {
  return (value) => typeof value === 'string' && regex.test(value);
}
