// JSONata's regular expressions (`/…/` literals, used by $match, $replace, $split, $contains) run on RE2
// (the re2js port) instead of V8's backtracking engine, as the filters' `$regex` does (safe-regex.ts):
// one regex step is a single evaluation step for JSONata's time guard, so a catastrophic pattern on
// V8 would stall the dispatcher past any timeout. JSONata takes a `RegexEngine` constructor and uses
// only `lastIndex` and `exec()` of what it builds (jsonata.js evaluateRegex), which this class provides.
import type { RE2JS } from 're2js';
import { re2 } from '../re2.ts';

/** A compiled RE2 pattern of a JSONata regex literal, or the reason RE2 refuses it. */
export function re2Of(literal: RegExp): RE2JS | string {
  const RE2 = re2();
  let flags = 0;
  if (literal.flags.includes('i')) flags |= RE2.CASE_INSENSITIVE;
  if (literal.flags.includes('m')) flags |= RE2.MULTILINE;
  try {
    return RE2.compile(literal.source, flags);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `regular expression /${literal.source}/ is not supported (RE2 syntax: no backreferences or lookarounds): ${message}`;
  }
}

/** What JSONata calls `new RegexEngine(literal)` on; exec() searches from lastIndex like a /g RegExp. */
export class Re2RegexEngine {
  lastIndex = 0;
  readonly #re: RE2JS;

  constructor(literal: RegExp) {
    const re = re2Of(literal);
    // Refused when the expression was saved (compileTransform); an old row still fails clearly.
    if (typeof re === 'string') throw Object.assign(new Error(re), { code: 'D1004' });
    this.#re = re;
  }

  exec(input: string): (string[] & { index: number }) | null {
    if (this.lastIndex > input.length) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.#re.matcher(input);
    if (!matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: string[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? '');
    const start = matcher.start();
    const end = matcher.end();
    this.lastIndex = end;
    return Object.assign(groups, { index: start });
  }
}
