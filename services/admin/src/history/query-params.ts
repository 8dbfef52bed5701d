// Query-string values of the history routes (GET /v1/events, /v1/deliveries, processor stats): times,
// id lists, cursors, status lists and windows, each refused with a 400 whose message names the
// parameter. Fastify's schema has already refused unknown parameters and repeated ones.
import { parseRfc3339 } from '@eventyard/core';
import { DELIVERY_STATUSES, type DeliveryStatus } from '@eventyard/db';
import { HttpError } from '../http/api-error.ts';
import { isEventId } from '../routes/events.ts';
import { AdminErrors } from '../error-codes.ts';

/** Most ids one `event_id` list may carry (the query stays one index probe per id). */
export const MAX_ID_LIST = 1000;
/** Longest stats window: beyond it history is usually pruned, and the scan grows with it. */
export const MAX_WINDOW_MS = 30 * 24 * 3600 * 1000;

const invalid = (message: string) => new HttpError(AdminErrors.EY_INVALID_REQUEST, message);

/** An RFC 3339 timestamp (with a zone) or epoch milliseconds; absent or empty (a query string's `since=`) is no time. */
export function parseTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  return parseTimeValue(name, value);
}

/** A time that was given (a JSON body's `since`): an RFC 3339 timestamp (with a zone) or epoch milliseconds. */
export function parseTimeValue(name: string, value: string): Date {
  if (/^\d{1,15}$/.test(value)) return new Date(Number(value));
  // Strict: Date alone would roll 2026-02-30 over into March; a day that does not exist is a mistake to report.
  const date = parseRfc3339(value);
  if (date === undefined) throw invalid(`${name} must be an RFC 3339 time with a zone (2026-01-31T12:00:00Z) or epoch milliseconds`);
  return date;
}

/** since and until, with since before until when both are given. */
export function parseTimeRange(since: string | undefined, until: string | undefined): { since?: Date; until?: Date } {
  const from = parseTime('since', since);
  const to = parseTime('until', until);
  if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) throw invalid('since must be earlier than until');
  return { ...(from === undefined ? {} : { since: from }), ...(to === undefined ? {} : { until: to }) };
}

/** A positive decimal 64-bit id, in canonical form ("007" is 7). */
export function parseId(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isEventId(value)) throw invalid(`${name} must be a positive decimal 64-bit integer`);
  return BigInt(value).toString();
}

/** A comma-separated list of ids, at most MAX_ID_LIST. */
export function parseIdList(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',');
  if (items.length > MAX_ID_LIST) throw invalid(`${name} lists ${items.length} ids; at most ${MAX_ID_LIST} are allowed`);
  return [
    ...new Set(
      items.map((item) => {
        const id = item.trim();
        if (!isEventId(id)) throw invalid(`${name} must be a comma-separated list of positive decimal 64-bit integers; "${item}" is not one`);
        return BigInt(id).toString();
      }),
    ),
  ];
}

/** A comma-separated list of delivery statuses. */
export function parseStatusList(name: string, value: string | undefined): DeliveryStatus[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((item) => {
    const status = item.trim();
    if (!(DELIVERY_STATUSES as readonly string[]).includes(status))
      throw invalid(`${name} must be a comma-separated list of ${DELIVERY_STATUSES.join(', ')}; "${item}" is not one`);
    return status as DeliveryStatus;
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 90s, 15m, 1h, 7d (default 1h), from 1s to 30d. */
export function parseWindow(value: string | undefined): { text: string; ms: number } {
  if (value === undefined || value === '') return { text: '1h', ms: UNIT_MS.h ?? 3_600_000 };
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value);
  const ms = match === null ? NaN : Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? NaN);
  if (!(ms >= 1000 && ms <= MAX_WINDOW_MS)) throw invalid('window must be a duration from 1s to 30d, such as 15m, 1h or 24h');
  return { text: value, ms };
}
