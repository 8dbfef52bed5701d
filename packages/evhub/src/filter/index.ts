/**
 * Processor filters, shared by the router (per event) and the admin (on save, filter tests, replay):
 * EvHub's `filter_tag` and our JSON payload `filter`, validated when a processor is saved and evaluated
 * per event without re-parsing the filter.
 *
 * @example
 * // When the processor is saved or (re)loaded: throws ValidationError naming the bad path.
 * const filters = compileProcessorFilters({ filter_tag: { vip: true, test: false }, filter: { 'order.amount': { $gte: 100 } } });
 * // Per event: parse the payload once, however many processors look at it.
 * const event = prepareEvent({ tags: ['vip'], data: Buffer.from('{"order":{"amount":250}}') });
 * evaluateEvent(filters, event); // { matched: true }
 *
 * `filter_tag` (map tag → bool): absent or `{}` = no filter; tags mapped to true are wanted (the
 * event must carry one of them, when any is listed); tags mapped to false are unwanted (an event
 * carrying one never passes; exclusion wins).
 *
 * JSON `filter`, evaluated on `data` parsed as JSON:
 * - A filter object lists conditions that must all hold (implicit AND): `{"type": "order", "amount": {"$gt": 5}}`.
 *   `$and` / `$or` take non-empty arrays of filter objects and nest freely (up to 16 levels).
 * - Field names are dotted paths (`"user.address.city"`); a numeric segment indexes an array
 *   (`"items.0.sku"`); a non-numeric segment fans out over an array of objects (`"items.sku"`).
 *   A nested object without operators is a shorthand for dotted paths: `{"user": {"city": "Oslo"}}`
 *   is `{"user.city": "Oslo"}` (a partial match, not object equality; use `$eq` for that).
 * - A plain value means `$eq`. Operators: `$eq $neq $gt $gte $lt $lte $in $nin $exist $regex`
 *   (`$options` with `i`, `m`, `s` beside `$regex`).
 * - A path that reaches nothing is a non-match, except for `$exist: false` (and `null` is a present value).
 * - No coercion: `"5"` never equals `5`, and `$gt`/`$gte`/`$lt`/`$lte` compare only numbers with numbers
 *   and strings with strings; any other type is a non-match. `$neq` / `$nin` are the negation of
 *   `$eq` / `$in` over a present value, so `{"a": {"$neq": 5}}` matches `{"a": "5"}` but not `{}`.
 * - Arrays: `$eq $gt $gte $lt $lte $in $regex` match when the array itself or any element matches;
 *   `$neq`/`$nin` match when neither the array nor any element does. Operators in one object are tested
 *   separately, so `{"$gt": 1, "$lt": 3}` on `[0, 5]` matches (different elements).
 * - `$regex` takes a string pattern in RE2 syntax (Go's regexp: code points, `\p{L}`, `(?i)`; no
 *   backreferences or lookarounds), at most 256 characters, compiled once and matched in time linear
 *   in the input (re2js), so no pattern can stall the router. `$options` may hold `i`, `m`, `s`.
 * - An event whose `data` is empty, not UTF-8 or not JSON does not match a non-empty JSON filter
 *   (reason `filter`); an absent or `{}` filter never looks at `data`.
 */
export { compileFilter, DEFAULT_FILTER_LIMITS, INVALID_FILTER } from './compile-filter.ts';
export type { CompiledFilter, FilterLimits } from './compile-filter.ts';
export { compileFilterTag, INVALID_FILTER_TAG, MAX_FILTER_TAGS } from './filter-tag.ts';
export type { CompiledTagFilter } from './filter-tag.ts';
export { compileProcessorFilters, evaluateEvent, prepareEvent, PreparedEvent } from './evaluate-event.ts';
export type { FilterableEvent, FilterDecision, ProcessorFilters, RawProcessorFilters } from './evaluate-event.ts';
