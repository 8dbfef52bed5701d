// Bounded, UTF-8-safe text for attempt records: response body excerpts and error messages are cut
// at a byte limit without splitting a multi-byte character, so Postgres text columns stay valid.

/** @default 1024 */
export const EXCERPT_BYTES = 1024;

const DECODER = new TextDecoder('utf-8');

/**
 * The first `maxBytes` bytes of `body` as text, never ending inside a UTF-8 sequence.
 * Invalid UTF-8 is replaced by U+FFFD.
 */
export function utf8Excerpt(body: Uint8Array | string, maxBytes = EXCERPT_BYTES): string {
  if (typeof body === 'string') {
    // Worst case 3 bytes per UTF-16 unit; shorter strings need no encoding round trip.
    if (body.length * 3 <= maxBytes) return body;
    return utf8Excerpt(Buffer.from(body, 'utf8'), maxBytes);
  }
  if (body.byteLength <= maxBytes) return DECODER.decode(body);
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character; a valid
  // sequence has at most three of them, more means invalid data the decoder replaces anyway.
  for (let steps = 0; steps < 3 && end > 0 && ((body[end] as number) & 0xc0) === 0x80; steps++) end--;
  if (((body[end] as number) & 0xc0) === 0x80) end = maxBytes;
  return DECODER.decode(body.subarray(0, end));
}
