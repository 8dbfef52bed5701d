// A processor's `filter_tag` (EvHub: map tag → bool), tested against the event's
// `event_comm.event_tag.tag_list`. Semantics, decided for what a user writing the map expects:
//   - absent, null or `{}`: no filter, every event passes (EvHub dropped every event on `{}`);
//   - tags mapped to true are wanted: when there is at least one, the event must carry one of them;
//   - tags mapped to false are unwanted: an event carrying any of them never passes, even if it also
//     carries a wanted tag (exclusion wins);
//   - a map of only false tags passes every event that carries none of them, untagged events included.
// EvHub itself ignored the boolean (any listed tag matched, `false` included); reading `false` as
// "exclude" is a deliberate difference to list in the README. Tags compare exactly (case-sensitive).
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { isPlainObject, jsonTypeName } from './json-value.ts';

/** Error code of a malformed `filter_tag`. */
export const INVALID_FILTER_TAG = EvhubErrors.EY_INVALID_FILTER_TAG.code;

/** @default 1000 */
export const MAX_FILTER_TAGS = 1000;

/** A validated `filter_tag`. */
export interface CompiledTagFilter {
  /** True when the map is absent or `{}`: every event passes. */
  readonly isEmpty: boolean;
  /** Tests an event's tag list. */
  matches(tags: readonly string[]): boolean;
}

const MATCH_ALL: CompiledTagFilter = Object.freeze({ isEmpty: true, matches: () => true });

/**
 * Validates a `filter_tag` map and compiles it.
 * @throws ValidationError (EY_INVALID_FILTER_TAG) naming the bad entry, e.g. `filter_tag.vip: must be true or false, got string`.
 */
export function compileFilterTag(raw: unknown, field = 'filter_tag'): CompiledTagFilter {
  if (raw === undefined || raw === null) return MATCH_ALL;
  if (!isPlainObject(raw)) throw invalid(field, `must be an object mapping tag to true/false, got ${jsonTypeName(raw)}`);
  const entries = Object.entries(raw);
  if (entries.length === 0) return MATCH_ALL;
  if (entries.length > MAX_FILTER_TAGS) throw invalid(field, `has more than ${MAX_FILTER_TAGS} tags`);
  const wanted = new Map<string, boolean>();
  let wantedCount = 0;
  for (const [tag, value] of entries) {
    if (tag.length === 0) throw invalid(field, 'tag names must not be empty');
    if (typeof value !== 'boolean') throw invalid(`${field}.${tag}`, `must be true or false, got ${jsonTypeName(value)}`);
    wanted.set(tag, value);
    if (value) wantedCount++;
  }
  return Object.freeze({
    isEmpty: false,
    matches(tags: readonly string[]): boolean {
      let sawWanted = false;
      for (const tag of tags) {
        const verdict = wanted.get(tag);
        if (verdict === false) return false;
        if (verdict === true) sawWanted = true;
      }
      return wantedCount === 0 || sawWanted;
    },
  });
}

function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(EvhubErrors.EY_INVALID_FILTER_TAG, `${field}: ${problem}`, { context: { field } });
}
