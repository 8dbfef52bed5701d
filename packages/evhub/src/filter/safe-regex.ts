// Compiles a `$regex` operand once, when the filter is saved, with RE2 semantics (the re2js port):
// matching time is linear in the input, whatever the pattern. V8's backtracking engine is not safe
// here: a processor owner's `\s*\s*\s*x$` took 99 s on a 1 KiB string in V8 (even with the `u` flag,
// which also disables V8's linear-engine fallback), and `.*a.*b` 0.3 s, stalling routing for every
// processor. RE2 syntax is Go's `regexp` (https://github.com/google/re2/wiki/Syntax): code-point
// based like JS's `u` flag, `\p{L}` classes, inline `(?i)`; no backreferences or lookarounds, which
// are refused when the filter is saved. Patterns are limited to 256 characters; `$options` may hold
// `i` (case-insensitive), `m` (^/$ at line breaks) and `s` (`.` matches newlines).
import { re2 } from '../re2.ts';

/** @default 256 */
export const DEFAULT_MAX_REGEX_LENGTH = 256;

/** A compiled pattern; `test` is unanchored and keeps no state between calls. */
export interface SafeRegex {
  test(input: string): boolean;
}

const OPTION_FLAG_NAMES = { i: 'CASE_INSENSITIVE', m: 'MULTILINE', s: 'DOTALL' } as const;

function optionFlag(option: string): number | undefined {
  return Object.hasOwn(OPTION_FLAG_NAMES, option) ? re2()[OPTION_FLAG_NAMES[option as keyof typeof OPTION_FLAG_NAMES]] : undefined;
}

/** Returns the compiled pattern, or a message saying why it is refused. */
export function compileSafeRegex(pattern: string, options: string, maxLength = DEFAULT_MAX_REGEX_LENGTH): SafeRegex | string {
  if (pattern.length > maxLength) return `pattern longer than ${maxLength} characters`;
  let flags = 0;
  const seen = new Set<string>();
  for (const option of options) {
    const flag = optionFlag(option);
    if (flag === undefined) return `option "${option}" is not allowed (use i, m or s)`;
    if (seen.has(option)) return `option "${option}" given twice`;
    seen.add(option);
    flags |= flag;
  }
  try {
    return re2().compile(pattern, flags);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `invalid pattern (RE2 syntax): ${message}`;
  }
}
