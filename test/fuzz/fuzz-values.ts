// Hostile values shared by the generators: strings that break naive code (NUL, invalid UTF-16, huge,
// path and SQL metacharacters), numbers at the edges of int32/int64/float, and invalid UTF-8 byte runs.
import type { Rng } from './prng.ts';

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202egnp.exe',
  '😀'.repeat(64),
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(1025),
  'x'.repeat(70_000),
  '../../../etc/passwd',
  '%00',
  '%ff%fe',
  "'; drop table events; --",
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '00000000000000000000000001',
  'true',
  'null',
  '\n\r\t',
  '\\',
  '"',
  '{}',
];

export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  2147483647,
  2147483648,
  -2147483649,
  4294967296,
  9007199254740991,
  2 ** 53,
  1e21,
  -1e21,
  1e308,
  5e-324,
];

/** Byte runs that are not UTF-8: a lone continuation, an overlong NUL, a UTF-16 surrogate, a cut sequence. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
];

export const BAD_CRONTABS: readonly string[] = [
  '',
  ' ',
  '* * * *',
  '* * * * * * *',
  '60 * * * *',
  '* 24 * * *',
  '* * 32 * *',
  '* * * 13 *',
  '* * * * 8',
  '*/0 * * * *',
  '-1 * * * *',
  '1-0 * * * *',
  '5-3/2 * * * *',
  '@every',
  '@every 0s',
  '@every -5s',
  '@every 1ms',
  '@every 999999999999h',
  '@yearly ',
  '@bogus',
  '0 0 30 2 *',
  '* * * * * *\u0000',
  '*,*,*,*,*,*,*,*,*,* * * * *',
  `${'1,'.repeat(5000)}1 * * * *`,
  'a b c d e',
  '0 0 31 4 *',
  '0/1000000000 * * * *',
];

export const GOOD_CRONTABS: readonly string[] = ['*/5 * * * *', '0 0 * * *', '*/10 * * * * *', '@every 5s', '@hourly'];

export function hostileString(rng: Rng): string {
  return rng.pick(HOSTILE_STRINGS);
}

/** A string with `needle` spliced in at a random place of `base`. */
export function splice(rng: Rng, base: string, needle: string): string {
  const at = rng.int(0, base.length);
  return base.slice(0, at) + needle + base.slice(at);
}

export function spliceBytes(rng: Rng, base: Buffer, needle: Buffer): Buffer {
  const at = rng.int(0, base.length);
  return Buffer.concat([base.subarray(0, at), needle, base.subarray(at)]);
}
