// JSON value rules the payload filter relies on: what counts as a plain object, structural equality
// with no coercion ("5" is never 5), and a check that a filter operand is JSON, because a filter is
// stored in Postgres as JSON and must mean the same thing after the round trip.

/** A JSON object as `JSON.parse` produces it (prototype Object or null), never an array or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Structural equality of two JSON values: same type, same scalars, arrays in order, objects by key set. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
  }
  return true;
}

/** True for the JSON scalars that `Set` can look up exactly (SameValueZero never coerces types). */
export function isJsonScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Says what keeps `value` from being JSON (undefined, NaN, a function, a class instance, too deep…),
 * or returns null when it is JSON.
 */
export function jsonProblem(value: unknown, maxDepth: number): string | null {
  return problemAt(value, maxDepth, 0);
}

function problemAt(value: unknown, maxDepth: number, depth: number): string | null {
  if (depth > maxDepth) return `value nested deeper than ${maxDepth} levels`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${String(value)} is not a JSON number`;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        for (const item of value) {
          const problem = problemAt(item, maxDepth, depth + 1);
          if (problem !== null) return problem;
        }
        return null;
      }
      if (!isPlainObject(value)) return 'not a JSON value';
      for (const item of Object.values(value)) {
        const problem = problemAt(item, maxDepth, depth + 1);
        if (problem !== null) return problem;
      }
      return null;
    }
    default:
      return `${typeof value} is not a JSON value`;
  }
}

/** A short type name for error messages: "array", "null", "object", "string"… */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
