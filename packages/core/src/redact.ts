// Secrets removed from whatever is about to be logged, at any depth: pino's `redact` paths take a
// wildcard for one level only (`*.password`), and a secret nested three levels down (an options object
// inside a config inside an error context) would slip past them. A key is secret by its name, compared
// without case, `_` or `-` (so authToken, auth_token and Auth-Token are one name); a string holding a URL
// with a password (a DSN) keeps everything but the password. Objects without a secret are returned as
// they are (no copy), so the usual log line costs one walk and no allocation.

const REDACTED = '[redacted]';

/** Key name endings that always hold a secret (normalised: lower case, no `_` or `-`). */
const SECRET_SUFFIXES = [
  'authorization',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'cookie',
  'dsn',
  'databaseurl',
  'connectionstring',
  'privatekey',
  'credentials',
  'signature',
] as const;

/** Keys that are secret only inside TLS options (`tls: { key, pfx }`); elsewhere `key` is a message key. */
const TLS_PARENTS = new Set(['tls', 'ssl', 'https', 'mtls']);
const TLS_SECRET_KEYS = new Set(['key', 'pfx']);

/** Deeper structures are cut rather than walked: a log line is not a database dump. */
const MAX_DEPTH = 10;

/** `scheme://user:password@host`: the password part, for DSNs inside strings. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/?#\s]+)(@)/gi;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Whether a field named `key` (inside a field named `parent`) holds a secret. */
function isSecretKey(key: string, parent?: string): boolean {
  const name = normalise(key);
  if (SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix))) return true;
  return parent !== undefined && TLS_PARENTS.has(normalise(parent)) && TLS_SECRET_KEYS.has(name);
}

/**
 * `value` with every secret field replaced by "[redacted]" and passwords cut out of URLs in strings; the
 * same reference when nothing needed it. Walks plain objects and arrays; class instances (Buffers, Dates,
 * Errors before serialisation) are left to their serialisers.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, undefined, 0, new WeakSet(), false) as T;
}

/**
 * Like redactSecrets for a serialised error: pino's serialiser gives it a prototype of its own, so the
 * top object is walked whatever its class (its `context` and `cause` are plain objects again).
 */
export function redactSerializedError<T>(value: T): T {
  return walk(value, undefined, 0, new WeakSet(), true) as T;
}

function walk(value: unknown, parent: string | undefined, depth: number, seen: WeakSet<object>, anyClass: boolean): unknown {
  if (typeof value === 'string') return redactUrlPassword(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  // A loop back to an object on the path: the original would carry its secrets along.
  if (seen.has(value)) return '[Circular]';
  if (Array.isArray(value)) {
    seen.add(value);
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, parent, depth + 1, seen, anyClass);
      if (next !== item) (copy ??= [...(value as unknown[])])[i] = next;
    }
    seen.delete(value);
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null && !anyClass) return value;
  seen.add(value);
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    // A boolean under a secret-sounding name is a flag about a secret (requireApiKey, hasPassword), never one.
    const next = isSecretKey(key, parent)
      ? item === undefined || item === null || typeof item === 'boolean'
        ? item
        : REDACTED
      : walk(item, key, depth + 1, seen, anyClass);
    if (next !== item) (copy ??= copyOf(record))[key] = next;
  }
  // Only the path counts: an object referenced twice side by side is logged twice, as pino would.
  seen.delete(value);
  return copy ?? value;
}

/** A shallow copy that keeps the prototype (a serialised error stays one for pino). */
function copyOf(record: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(Object.getPrototypeOf(record) as object | null) as Record<string, unknown>, record);
}

function redactUrlPassword(text: string): string {
  // Cheap pre-check: almost no log string is a URL with credentials.
  if (!text.includes('://') || !text.includes('@')) return text;
  return text.replace(URL_PASSWORD, `$1${REDACTED}$3`);
}
