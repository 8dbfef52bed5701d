// waitForOutcome: follows one event's deliveries through the admin API's watch stream
// (`GET /v1/events/:event_id/watch`, Server-Sent Events) until every delivery is final, and resolves with
// each delivery's final status. A broken connection is resumed with `Last-Event-ID` until the timeout.
// Plain `fetch` and the small `eventsource-parser`: nothing else is installed with the SDK.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * One delivery's status change as the admin API streams it (the `eventyard.status` record, version 1;
 * the schema that defines it lives in Eventyard's `@eventyard/evhub` status-change.ts).
 */
export interface DeliveryStatusChange {
  v: 1;
  kind: 'delivery';
  event_id: string;
  app_id: string;
  topic_id: string;
  /** null for an outcome that concerns no processor: `no_subscribers`, `rejected`. */
  dispatcher_id: string | null;
  /** pending, scheduled, delivering, succeeded, failed, dead, filtered, cancelled, no_subscribers, rejected. */
  status: string;
  /** The attempt this change follows (1 = the first try); 0 before any attempt. */
  attempt: number;
  /** ISO 8601. */
  at: string;
  /** The failed attempt's `code: message`. */
  error?: string;
  /** When a scheduled retry is due. */
  next_attempt_at?: string;
  final: boolean;
}

export interface EventOutcome {
  event_id: string;
  /** The event's status in the history (routed, filtered, no_subscribers, rejected, …). */
  status: string;
  /** Each delivery's final status (one entry with dispatcher_id null when the event reached no processor). */
  deliveries: DeliveryStatusChange[];
}

export interface WaitForOutcomeOptions {
  /** The admin API's base URL, e.g. `http://127.0.0.1:8081`. */
  adminUrl: string;
  /** The admin token, or an API key with the `events:read` permission (sent as `Authorization: Bearer`). */
  apiKey?: string;
  /** Give up after this many milliseconds (rejects with WaitForOutcomeTimeoutError). @default 60000 */
  timeout?: number;
  /** Called with every status change as it streams in (the current state first). */
  onStatus?: (change: DeliveryStatusChange) => void;
  signal?: AbortSignal;
}

/** The event did not settle within the timeout; `deliveries` is the last state seen. */
export class WaitForOutcomeTimeoutError extends Error {
  readonly eventId: string;
  readonly deliveries: DeliveryStatusChange[];

  constructor(eventId: string, timeoutMs: number, deliveries: DeliveryStatusChange[]) {
    super(
      `event ${eventId} did not settle within ${timeoutMs} ms (${deliveries.map((d) => `${d.dispatcher_id ?? 'event'}: ${d.status}`).join(', ') || 'no status yet'})`,
    );
    this.name = 'WaitForOutcomeTimeoutError';
    this.eventId = eventId;
    this.deliveries = deliveries;
  }
}

/** The admin API refused the watch (bad credentials, bad event id, …): its status and `ret.msg`. */
export class WatchRequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'WatchRequestError';
    this.status = status;
  }
}

/**
 * Waits until every delivery of `eventId` is final (succeeded, dead, filtered, cancelled, or the event
 * reached no processor) and resolves with them.
 *
 * @example
 * const { event_id } = await client.report({ event: { app_id: 'shop', topic_id: 'order', data } });
 * const outcome = await waitForOutcome(event_id, { adminUrl: 'http://127.0.0.1:8081', apiKey: process.env.EY_ADMIN_TOKEN, timeout: 30_000 });
 * for (const d of outcome.deliveries) console.log(d.dispatcher_id, d.status, d.error ?? '');
 */
export async function waitForOutcome(eventId: string, options: WaitForOutcomeOptions): Promise<EventOutcome> {
  const timeoutMs = options.timeout ?? 60_000;
  const latest = new Map<string, DeliveryStatusChange>();
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const url = `${options.adminUrl.replace(/\/+$/, '')}/v1/events/${encodeURIComponent(eventId)}/watch`;
  let lastEventId: string | undefined;
  let retryMs = 1000;
  for (;;) {
    try {
      const outcome = await followOnce(
        url,
        { ...options, signal, ...(lastEventId === undefined ? {} : { lastEventId }) },
        {
          onChange: (change) => {
            latest.set(change.dispatcher_id ?? '', change);
            options.onStatus?.(change);
          },
          onId: (id) => (lastEventId = id),
          onRetry: (ms) => (retryMs = ms),
        },
      );
      if (outcome !== undefined) return outcome;
    } catch (err) {
      if (err instanceof WatchRequestError) throw err;
      if (!signal.aborted) {
        // A broken connection: resume from the last id after the server's retry interval.
      } else if (timeout.aborted) {
        throw new WaitForOutcomeTimeoutError(eventId, timeoutMs, [...latest.values()]);
      } else {
        throw err;
      }
    }
    if (timeout.aborted) throw new WaitForOutcomeTimeoutError(eventId, timeoutMs, [...latest.values()]);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (timeout.aborted) throw new WaitForOutcomeTimeoutError(eventId, timeoutMs, [...latest.values()]);
    if (signal.aborted) throw signal.reason;
  }
}

interface FollowCallbacks {
  onChange: (change: DeliveryStatusChange) => void;
  onId: (id: string) => void;
  onRetry: (ms: number) => void;
}

/** One connection: resolves with the outcome at `end`, undefined when the stream ended without one. */
async function followOnce(
  url: string,
  options: WaitForOutcomeOptions & { signal: AbortSignal; lastEventId?: string },
  callbacks: FollowCallbacks,
): Promise<EventOutcome | undefined> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const res = await fetch(url, { headers, signal: options.signal });
  if (!res.ok || res.body === null) {
    const text = await res.text().catch(() => '');
    let msg = text;
    try {
      msg = String((JSON.parse(text) as { ret?: { msg?: unknown } }).ret?.msg ?? text);
    } catch {
      // not JSON: the text as it is
    }
    throw new WatchRequestError(res.status, `watch ${url}: HTTP ${res.status}: ${msg}`);
  }
  let outcome: EventOutcome | undefined;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      if (message.id !== undefined && message.id !== '') callbacks.onId(message.id);
      if (message.event === 'status') callbacks.onChange(JSON.parse(message.data) as DeliveryStatusChange);
      else if (message.event === 'end') outcome = JSON.parse(message.data) as EventOutcome;
    },
    onRetry: callbacks.onRetry,
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    if (outcome !== undefined) break;
  }
  return outcome;
}
