// Bounded, UTF-8-safe text for attempt records: response body excerpts and error messages are cut
// at a byte limit without splitting a multi-byte character, and hold no NUL or lone surrogate, so
// Postgres text columns accept them (and so do the dead-letter headers and logs that carry them).
import { pgSafeText } from '@eventyard/db';

/** @default 1024 */
export const EXCERPT_BYTES = 1024;

const DECODER = new TextDecoder('utf-8');

/**
 * The first `maxBytes` bytes of `body` as text, never ending inside a UTF-8 sequence.
 * Invalid UTF-8, NUL and lone surrogates are replaced by U+FFFD (each still counted in bytes written).
 */
export function utf8Excerpt(body: Uint8Array | string, maxBytes = EXCERPT_BYTES): string {
  if (typeof body === 'string') return pgSafeText(body, maxBytes);
  if (body.byteLength <= maxBytes) return pgSafeText(DECODER.decode(body), maxBytes);
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character; a valid
  // sequence has at most three of them, more means invalid data the decoder replaces anyway.
  for (let steps = 0; steps < 3 && end > 0 && ((body[end] as number) & 0xc0) === 0x80; steps++) end--;
  if (((body[end] as number) & 0xc0) === 0x80) end = maxBytes;
  // Replacing a NUL (1 byte) with U+FFFD (3) can make the text longer than the bytes it came from.
  return pgSafeText(DECODER.decode(body.subarray(0, end)), maxBytes);
}
