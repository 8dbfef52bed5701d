// Decides whether one event reaches one processor: `filter_tag` first (cheap, no payload access),
// then the JSON payload filter. The payload is decoded and parsed at most once per event, however
// many processors look at it, through a PreparedEvent.
import { compileFilter, type CompiledFilter, type FilterLimits } from './compile-filter.ts';
import { compileFilterTag, type CompiledTagFilter } from './filter-tag.ts';

/** The two filters of one processor, compiled. */
export interface ProcessorFilters {
  readonly filterTag?: CompiledTagFilter | null;
  readonly filter?: CompiledFilter | null;
}

/** What the router knows of an event: `event_comm.event_tag.tag_list` and `data`. */
export interface FilterableEvent {
  readonly tags: readonly string[];
  readonly data: Uint8Array;
}

/** Whether the event reaches the processor, and which filter dropped it when it does not. */
export type FilterDecision = { readonly matched: true } | { readonly matched: false; readonly reason: 'tag' | 'filter' };

const MATCHED: FilterDecision = Object.freeze({ matched: true });
const DROPPED_BY_TAG: FilterDecision = Object.freeze({ matched: false, reason: 'tag' });
const DROPPED_BY_FILTER: FilterDecision = Object.freeze({ matched: false, reason: 'filter' });

// Invalid UTF-8 is not JSON; a replacement-character decode would let a corrupt payload match.
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NOT_PARSED = Symbol('not parsed');
const NOT_JSON = Symbol('not JSON');

/** An event whose payload is parsed lazily, once, on the first JSON filter that needs it. */
export class PreparedEvent implements FilterableEvent {
  readonly tags: readonly string[];
  readonly data: Uint8Array;
  #payload: unknown = NOT_PARSED;

  constructor(event: FilterableEvent) {
    this.tags = event.tags;
    this.data = event.data;
  }

  /** True once the payload has been parsed (or found not to be JSON). */
  get parsed(): boolean {
    return this.#payload !== NOT_PARSED;
  }

  /** The parsed payload, or `{ json: false }` when `data` is empty, not UTF-8 or not JSON. */
  payload(): { readonly json: true; readonly value: unknown } | { readonly json: false } {
    if (this.#payload === NOT_PARSED) this.#payload = parse(this.data);
    return this.#payload === NOT_JSON ? { json: false } : { json: true, value: this.#payload };
  }
}

function parse(data: Uint8Array): unknown {
  if (data.byteLength === 0) return NOT_JSON;
  try {
    return JSON.parse(UTF8.decode(data)) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** Wraps an event so several processors' filters share one parse of its payload. */
export function prepareEvent(event: FilterableEvent): PreparedEvent {
  return event instanceof PreparedEvent ? event : new PreparedEvent(event);
}

/**
 * Evaluates a processor's filters on an event. An event whose `data` is not JSON (empty, invalid
 * UTF-8, invalid JSON) never matches a non-empty JSON filter (reason `filter`); an empty filter never
 * looks at `data`. Pass a PreparedEvent when several processors see the same event.
 */
export function evaluateEvent(filters: ProcessorFilters, event: FilterableEvent): FilterDecision {
  const { filterTag, filter } = filters;
  if (filterTag && !filterTag.isEmpty && !filterTag.matches(event.tags)) return DROPPED_BY_TAG;
  if (!filter || filter.isEmpty) return MATCHED;
  const payload = prepareEvent(event).payload();
  return payload.json && filter.matches(payload.value) ? MATCHED : DROPPED_BY_FILTER;
}

/** The raw filter fields of a processor config: EvHub's `filter_tag` and our `filter`. */
export interface RawProcessorFilters {
  readonly filter_tag?: unknown;
  readonly filter?: unknown;
}

/**
 * Validates and compiles both filters of a processor config, e.g. when it is saved or loaded.
 * @throws ValidationError (EY_INVALID_FILTER_TAG or EY_INVALID_FILTER) naming the bad field.
 */
export function compileProcessorFilters(raw: RawProcessorFilters, limits?: Partial<FilterLimits>): Required<ProcessorFilters> {
  return { filterTag: compileFilterTag(raw.filter_tag), filter: compileFilter(raw.filter, limits) };
}
