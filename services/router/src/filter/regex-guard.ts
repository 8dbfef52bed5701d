// Compiles a `$regex` operand once, when the filter is saved, and refuses patterns that could make
// the router's event loop backtrack for seconds on one event. JavaScript's regex engine backtracks,
// so the guard is a conservative syntax check rather than a proof:
//   - at most `maxLength` characters (default 256);
//   - always the `u` flag (strict syntax, code-point semantics), plus only `i`, `m`, `s` from `$options`;
//   - no backreferences (`\1`, `\k<name>`), which make matching NP-hard;
//   - no quantified group that itself contains a quantifier (`(a+)+`, `(\w*\s?)*`, `((ab)*c){2,}`),
//     the star-height > 1 shape behind most catastrophic patterns. This also refuses some safe
//     patterns such as `(-\d+)*`; users can usually rewrite them (`(?:-\d)*` has no inner quantifier).
// Not caught: overlapping alternatives under one quantifier (`(a|a)*`). Filters are written by
// processor owners, not by event senders, so the remaining risk is a self-inflicted slow processor.

/** @default 256 */
export const DEFAULT_MAX_REGEX_LENGTH = 256;

const ALLOWED_OPTIONS = new Set(['i', 'm', 's']);

/** Returns the compiled RegExp, or a message saying why the pattern is refused. */
export function compileGuardedRegex(pattern: string, options: string, maxLength = DEFAULT_MAX_REGEX_LENGTH): RegExp | string {
  if (pattern.length > maxLength) return `pattern longer than ${maxLength} characters`;
  const seen = new Set<string>();
  for (const flag of options) {
    if (!ALLOWED_OPTIONS.has(flag)) return `option "${flag}" is not allowed (use i, m or s)`;
    if (seen.has(flag)) return `option "${flag}" given twice`;
    seen.add(flag);
  }
  const problem = riskyConstruct(pattern);
  if (problem !== null) return problem;
  try {
    return new RegExp(pattern, `u${options}`);
  } catch (err) {
    return `invalid pattern: ${err instanceof Error ? err.message : String(err)}`;
  }
}

interface Group {
  hasQuantifier: boolean;
}

// Which thing a quantifier would apply to.
type Previous = { kind: 'none' } | { kind: 'atom' } | { kind: 'group'; group: Group } | { kind: 'quantifier' };

const BOUNDED_QUANTIFIER = /^\{[0-9]+(?:,[0-9]*)?\}/;

/** Scans the pattern for backreferences and nested quantifiers; a syntax error is left to RegExp. */
function riskyConstruct(pattern: string): string | null {
  const stack: Group[] = [{ hasQuantifier: false }];
  let previous: Previous = { kind: 'none' };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next >= '1' && next <= '9') return `backreference "\\${next}" is not allowed`;
      if (next === 'k' && pattern[i + 2] === '<') return 'named backreference "\\k<…>" is not allowed';
      // \u{…} and \p{…} carry braces that are not a quantifier.
      if ((next === 'u' || next === 'p' || next === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? pattern.length : close + 1;
      } else {
        i += 2;
      }
      previous = { kind: 'atom' };
      continue;
    }
    if (c === '[') {
      i = skipClass(pattern, i);
      previous = { kind: 'atom' };
      continue;
    }
    if (c === '(') {
      stack.push({ hasQuantifier: false });
      i = skipGroupPrefix(pattern, i);
      previous = { kind: 'none' };
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? (stack.pop() as Group) : { hasQuantifier: false };
      // A quantifier anywhere inside makes every enclosing group "contain a quantifier" too.
      if (group.hasQuantifier) (stack[stack.length - 1] as Group).hasQuantifier = true;
      previous = { kind: 'group', group };
      i++;
      continue;
    }
    const quantifier = c === '*' || c === '+' || c === '?' ? c : c === '{' ? (BOUNDED_QUANTIFIER.exec(pattern.slice(i))?.[0] ?? null) : null;
    if (quantifier !== null) {
      if (previous.kind === 'quantifier') {
        // `?` after a quantifier makes it lazy; anything else is a syntax error RegExp will report.
        i += quantifier.length;
        continue;
      }
      if (previous.kind === 'group' && previous.group.hasQuantifier && quantifier !== '?') {
        return 'nested quantifier (a repeated group that contains a quantifier, like "(a+)+") is not allowed: it can backtrack catastrophically';
      }
      (stack[stack.length - 1] as Group).hasQuantifier = true;
      previous = { kind: 'quantifier' };
      i += quantifier.length;
      continue;
    }
    previous = c === '|' ? { kind: 'none' } : { kind: 'atom' };
    i++;
  }
  return null;
}

/** Index just past the character class opening at `start`. */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') i += 2;
    else if (c === ']') return i + 1;
    else i++;
  }
  return i;
}

/** Index just past "(", "(?:", "(?=", "(?!", "(?<=", "(?<!" or "(?<name>". */
function skipGroupPrefix(pattern: string, start: number): number {
  if (pattern[start + 1] !== '?') return start + 1;
  const kind = pattern[start + 2];
  if (kind === ':' || kind === '=' || kind === '!') return start + 3;
  if (kind === '<') {
    const after = pattern[start + 3];
    if (after === '=' || after === '!') return start + 4;
    const close = pattern.indexOf('>', start + 3);
    return close < 0 ? pattern.length : close + 1;
  }
  return start + 2;
}
