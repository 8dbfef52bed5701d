// What Postgres said when it refused a row, for a rejected record's reason: knex prefixes the driver's
// message with the whole statement, which would put SQL (and a round's worth of text) into a header.

/** Postgres's own message and SQLSTATE, e.g. `invalid byte sequence for encoding "UTF8": 0x00 (22021)`. */
export function dataErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cut = message.lastIndexOf(' - ');
  const own = cut >= 0 ? message.slice(cut + 3) : message;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${own} (${code})` : own;
}
