// The one rule for text that every stage stores: Postgres text columns refuse U+0000, and jsonb columns
// (an event's trigger and tags) refuse U+0000 and unpaired UTF-16 surrogates ("\ud800" is legal in
// JSON but not in jsonb). The producer refuses such a Report with 10000 naming the field; the router
// and the delay-scheduler use the same check on what they read, so a record another client wrote
// straight to a topic is dead-lettered with the same reason rather than refused by Postgres.

/** Says what is wrong with `value` as stored text, or null when every stage can store it. */
export function unstorableTextProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000), which Postgres cannot store';
  if (!value.isWellFormed()) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode text';
  return null;
}

export interface UnstorableField {
  /** Path of the field, e.g. `event.event_comm.tags[2]` or `option.orderingKey`. */
  field: string;
  problem: string;
}

/**
 * The first string in `value` (a decoded protobuf message, walked in field order) that is not storable
 * text, with its path under `path`; null when there is none. Bytes (Buffer, Uint8Array) are exempt: they
 * go to bytea columns. A map's key is checked as well as its value.
 */
export function findUnstorableText(value: unknown, path: string): UnstorableField | null {
  if (typeof value === 'string') {
    const problem = unstorableTextProblem(value);
    return problem === null ? null : { field: path, problem };
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const keyProblem = unstorableTextProblem(key);
    if (keyProblem !== null) return { field: `${path} key`, problem: keyProblem };
    const found = findUnstorableText(child, path === '' ? key : `${path}.${key}`);
    if (found !== null) return found;
  }
  return null;
}

/**
 * `value` made storable, for recording a rejected record's own fields (its app_id, its reason): NUL
 * becomes U+FFFD and unpaired surrogates become U+FFFD, as a UTF-8 decoder would show them.
 */
export function storableText(value: string): string {
  return value.replaceAll('\u0000', '\ufffd').toWellFormed();
}
