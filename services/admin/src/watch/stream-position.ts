// A position in `eventyard.status`: per partition, the offset of the next record to read. It is the SSE
// `id:` of every watch event (and of keep-alives), so a client reconnecting with `Last-Event-ID` resumes
// right after the last record it was sent. Text form: `partition:offset` pairs joined by commas, e.g.
// `0:1532,1:1498,2:1611` (Kafka offsets, so any admin instance can resume any other's position).
import { AdminErrors } from '../error-codes.ts';
import { HttpError } from '../http/api-error.ts';

export type StreamPosition = Map<number, bigint>;

/** Most partitions a position may name (far above any real status topic; bounds the parse). */
const MAX_PARTITIONS = 10_000;

export function formatPosition(position: StreamPosition): string {
  return [...position.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(',');
}

/** Parses a `Last-Event-ID`; throws EY_WATCH_INVALID_LAST_EVENT_ID (HTTP 400) naming what is wrong. */
export function parsePosition(text: string): StreamPosition {
  const position: StreamPosition = new Map();
  const pairs = text.trim() === '' ? [] : text.split(',');
  if (pairs.length === 0 || pairs.length > MAX_PARTITIONS) throw invalid(text, 'expected partition:offset pairs joined by commas');
  for (const pair of pairs) {
    const match = /^(\d{1,5}):(\d{1,19})$/.exec(pair.trim());
    if (match === null) throw invalid(text, `"${pair.slice(0, 40)}" is not partition:offset`);
    const partition = Number(match[1]);
    if (position.has(partition)) throw invalid(text, `partition ${partition} appears twice`);
    position.set(partition, BigInt(match[2] ?? '0'));
  }
  return position;
}

function invalid(text: string, why: string): HttpError {
  return new HttpError(AdminErrors.EY_WATCH_INVALID_LAST_EVENT_ID, `Last-Event-ID "${text.slice(0, 80)}": ${why}`);
}
