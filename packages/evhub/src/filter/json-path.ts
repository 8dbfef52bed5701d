// Dotted paths into a JSON payload ("user.address.city", "items.0.sku"), parsed once when a filter is
// compiled and walked per event without allocating. A path fans out over arrays, so "items.sku"
// reaches the `sku` of every element of `items`; a numeric segment on an array picks one element.

/** One parsed path segment: the object key, and the array index it denotes (-1 when not an index). */
export interface PathSegment {
  readonly key: string;
  readonly index: number;
}

export type ParsedPath = readonly PathSegment[];

/** @default 256 */
export const DEFAULT_MAX_PATH_LENGTH = 256;

const INDEX = /^(?:0|[1-9][0-9]{0,8})$/;

/** Parses a dotted path, or returns a message saying what is wrong with it. */
export function parsePath(path: string, maxLength = DEFAULT_MAX_PATH_LENGTH): ParsedPath | string {
  if (path.length === 0) return 'field path must not be empty';
  if (path.length > maxLength) return `field path longer than ${maxLength} characters`;
  const segments: PathSegment[] = [];
  for (const key of path.split('.')) {
    if (key.length === 0) return 'field path has an empty segment (leading, trailing or double dot)';
    if (key.startsWith('$')) return `field path segment "${key}" starts with "$" (operators go inside an object: {"field": {"$op": value}})`;
    segments.push({ key, index: INDEX.test(key) ? Number(key) : -1 });
  }
  return segments;
}

/**
 * Calls `test` on every value the path reaches in `root` and returns true as soon as one test does.
 * A path that reaches nothing (a missing key, a scalar in the way) never calls `test`.
 */
export function someValueAt(root: unknown, path: ParsedPath, test: (value: unknown) => boolean): boolean {
  return walk(root, path, 0, test);
}

function walk(node: unknown, path: ParsedPath, at: number, test: (value: unknown) => boolean): boolean {
  if (at === path.length) return test(node);
  if (typeof node !== 'object' || node === null) return false;
  const segment = path[at] as PathSegment;
  if (Array.isArray(node)) {
    if (segment.index >= 0) {
      return segment.index < node.length && walk(node[segment.index], path, at + 1, test);
    }
    // Fan out: the same segment applies to each object element (one level, as MongoDB does).
    for (const element of node) {
      if (typeof element === 'object' && element !== null && !Array.isArray(element) && walk(element, path, at, test)) return true;
    }
    return false;
  }
  // Own properties only, so "constructor" or "__proto__" never reach Object.prototype.
  if (!Object.hasOwn(node, segment.key)) return false;
  return walk((node as Record<string, unknown>)[segment.key], path, at + 1, test);
}
