// google.protobuf.Duration / Timestamp (as the loader yields them: `seconds` a decimal string, `nanos` a
// number) turned into milliseconds, with the checks the well-known types demand, naming the field.
import type { Duration__Output, Timestamp__Output } from '@eventyard/proto';
import { invalidField } from './invalid-field.ts';

const NANOS_PER_MS = 1_000_000;
const MAX_NANOS = 999_999_999;
/** ±10,000 years, the range google.protobuf.Duration allows. */
const MAX_DURATION_SECONDS = 315_576_000_000;
/** 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z, the range google.protobuf.Timestamp allows. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

function secondsOf(value: string | number, field: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) throw invalidField(field, 'has a non-integer seconds value');
  return seconds;
}

/** Milliseconds of a Duration (fractions of a millisecond are kept). Throws a 10000 error naming `field`. */
export function durationMs(duration: Duration__Output, field: string): number {
  const seconds = secondsOf(duration.seconds, field);
  const nanos = duration.nanos;
  if (!Number.isInteger(nanos) || Math.abs(nanos) > MAX_NANOS) throw invalidField(field, 'has nanos outside ±999999999');
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) throw invalidField(field, 'has seconds and nanos of different signs');
  if (Math.abs(seconds) > MAX_DURATION_SECONDS) throw invalidField(field, 'is outside the range of google.protobuf.Duration');
  return seconds * 1000 + nanos / NANOS_PER_MS;
}

/** Epoch milliseconds of a Timestamp. Throws a 10000 error naming `field`. */
export function timestampMs(timestamp: Timestamp__Output, field: string): number {
  const seconds = secondsOf(timestamp.seconds, field);
  const nanos = timestamp.nanos;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > MAX_NANOS) throw invalidField(field, 'has nanos outside 0-999999999');
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw invalidField(field, 'is outside 0001-01-01 … 9999-12-31');
  return seconds * 1000 + Math.floor(nanos / NANOS_PER_MS);
}

/** A Timestamp for epoch milliseconds, in the loader's object shape. */
export function timestampOf(ms: number): Timestamp__Output {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.min(999_999_999, Math.floor((ms - seconds * 1000) * NANOS_PER_MS)) };
}

/** Renders milliseconds for an error message: "2592000s", "1.5s", "250ms". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}
