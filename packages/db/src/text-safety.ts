// Text from outside (a consumer's response body or `ret.msg`, an error message, a header) made safe for
// Postgres, and the test for "Postgres refused these values" versus "Postgres could not be reached".
// A `text` column refuses NUL (SQLSTATE 22021) and a `jsonb` value refuses the escape \u0000 (22P05) and
// unpaired surrogate escapes (22P02); a writer that retries every error would retry such a row forever,
// holding up everything queued behind it. Sanitize what comes from outside before writing it, and treat
// a data exception as final for that row: writing it again cannot succeed.

/** U+FFFD, what a UTF-8 decoder puts in place of bytes it cannot read. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * `value` as text every Postgres `text` column accepts: NUL and unpaired surrogates become U+FFFD, and
 * with `maxBytes` it is cut to at most that many bytes of UTF-8 without splitting a character.
 * Invalid UTF-8 never reaches here as such: decoding bytes (Buffer, TextDecoder, grpc-js/protobufjs
 * string fields) already replaced it with U+FFFD.
 */
export function pgSafeText(value: string, maxBytes?: number): string {
  // toWellFormed replaces UTF-16 surrogates without their partner (a JS string may hold them:
  // JSON.parse('"\\ud800"')), which Buffer would encode as U+FFFD anyway but jsonb escapes refuse.
  const safe = value.replaceAll('\u0000', REPLACEMENT_CHARACTER).toWellFormed();
  // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units): short strings need no encoding.
  if (maxBytes === undefined || safe.length * 3 <= maxBytes) return safe;
  const bytes = Buffer.from(safe, 'utf8');
  if (bytes.byteLength <= maxBytes) return safe;
  let end = maxBytes;
  // The text is well-formed now, so stepping back over continuation bytes (10xxxxxx) finds the start of
  // the character the limit cuts through.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

/** pgSafeText for an optional column: null and undefined become null. */
export function pgSafeTextOrNull(value: string | null | undefined, maxBytes?: number): string | null {
  return value === null || value === undefined ? null : pgSafeText(value, maxBytes);
}

/**
 * A copy of a JSON value with every string and object key made safe (pgSafeText), for a `jsonb` column:
 * JSON.stringify writes NUL as \u0000 and a lone surrogate as \ud800, and jsonb refuses both.
 */
export function pgSafeJson(value: unknown): unknown {
  if (typeof value === 'string') return pgSafeText(value);
  if (Array.isArray(value)) return value.map(pgSafeJson);
  if (typeof value === 'object' && value !== null) {
    // As JSON.stringify would: a Date or Buffer is written as what its toJSON returns.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return pgSafeJson((toJSON as () => unknown).call(value));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[pgSafeText(key)] = pgSafeJson(item);
    return out;
  }
  return value;
}

/** Smallest and largest value of a Postgres `integer` column. */
export const PG_INTEGER_MIN = -2_147_483_648;
export const PG_INTEGER_MAX = 2_147_483_647;

/** `value` when it fits an `integer` column, else null (a consumer's number may be anything). */
export function pgIntegerOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= PG_INTEGER_MIN && value <= PG_INTEGER_MAX ? value : null;
}

/** SQLSTATE class 22: data exception (bad encoding, value out of range, string too long, bad JSON text). */
export const SQLSTATE_DATA_EXCEPTION_CLASS = '22';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of a Postgres error (node-postgres puts it in `code`; knex rethrows that error), looking
 * through `cause` for wrappers. Undefined for anything else, e.g. a refused connection (`ECONNREFUSED`).
 */
export function sqlStateOf(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, severity, cause } = current as { code?: unknown; severity?: unknown; cause?: unknown };
    // `severity` tells a server error from a Node system error whose code could also be five characters.
    if (typeof code === 'string' && SQLSTATE.test(code) && typeof severity === 'string') return code;
    current = cause;
  }
  return undefined;
}

/**
 * Whether Postgres refused the values themselves (SQLSTATE class 22): the same row fails the same way on
 * every retry, so it must be reduced or skipped, not retried. Connection errors, timeouts, deadlocks,
 * serialization failures and server shutdowns are not data exceptions and stay retriable.
 */
export function isDataException(err: unknown): boolean {
  return sqlStateOf(err)?.startsWith(SQLSTATE_DATA_EXCEPTION_CLASS) === true;
}
