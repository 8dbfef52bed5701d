// Delivery status changes as Server-Sent Events (README "Status stream"): `GET /v1/events/:event_id/watch`
// sends an event's current state from Postgres, then its changes live, and ends once every delivery is
// final; `GET /v1/watch?app_id=&topic_id=&dispatcher_id=` sends every matching change from now on. Every
// event's `id:` is the position after it in `eventyard.status` (stream-position.ts), so a reconnect with
// `Last-Event-ID` resumes without losing a change. Events: `status` (data: the status change JSON),
// `end` (the event is settled), `reset` (changes may be missing), `dropped` (the client was too slow).
import { storedStatusChanges, type DeliveryRecord, type EventRecord, type Knex } from '@eventyard/db';
import { FINAL_CHANGE_STATUSES, type DeliveryStatusChange, type StatusChange } from '@eventyard/evhub';
import type { Logger } from '@eventyard/core';
import { CoreErrors } from '@eventyard/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminErrors } from '../error-codes.ts';
import { HttpError } from '../http/api-error.ts';
import { SseStream } from '../watch/sse-stream.ts';
import type { FeedRecord, StatusFeed } from '../watch/status-feed.ts';
import { formatPosition, parsePosition, type StreamPosition } from '../watch/stream-position.ts';
import { isEventId } from './events.ts';

export interface WatchOptions {
  /** @default 15000 */
  keepAliveMs?: number;
  /** @default 1 MiB */
  maxBufferedBytes?: number;
  /** How often an event's watch re-reads Postgres, besides after each change. @default 5000 */
  recheckMs?: number;
}

export interface WatchDeps {
  knex: Knex;
  feed: StatusFeed;
  /** Open streams, ended by the app at shutdown. */
  streams: Set<SseStream>;
  options?: WatchOptions;
  logger: Logger;
}

/** Changes held for a stream while it catches up, before it is dropped as too slow. */
const MAX_QUEUED_WHILE_CATCHING_UP = 10_000;
const ID_FILTER = { type: 'string', minLength: 1, maxLength: 255 } as const;

export function registerWatchRoutes(app: FastifyInstance, deps: WatchDeps): void {
  app.get<{ Querystring: { app_id?: string; topic_id?: string; dispatcher_id?: string } }>(
    '/v1/watch',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { app_id: ID_FILTER, topic_id: ID_FILTER, dispatcher_id: ID_FILTER } },
      },
    },
    async (request, reply) => {
      const { app_id: appId, topic_id: topicId, dispatcher_id: dispatcherId } = request.query;
      const resume = lastEventId(request);
      await deps.feed.start();
      const match = (change: StatusChange): boolean => {
        if (dispatcherId !== undefined && change.dispatcher_id !== dispatcherId) return false;
        if (change.kind === 'processor') return appId === undefined && topicId === undefined;
        return (appId === undefined || change.app_id === appId) && (topicId === undefined || change.topic_id === topicId);
      };
      await openStream(reply, deps, { match, ...(resume === undefined ? {} : { resume }) });
    },
  );

  app.get<{ Params: { event_id: string } }>('/v1/events/:event_id/watch', async (request, reply) => {
    if (!isEventId(request.params.event_id)) throw new HttpError(CoreErrors.EY_INVALID_EVENT_ID, 'event_id must be a positive decimal 64-bit integer');
    const eventId = BigInt(request.params.event_id).toString();
    const resume = lastEventId(request);
    await deps.feed.start();
    // What the client was last told per delivery: the stream never ends on a state it did not send.
    const told = new Map<string, string>();
    const tell = (stream: SseStream, change: DeliveryStatusChange, position: StreamPosition): void => {
      if (stream.send('status', change, formatPosition(position))) told.set(change.dispatcher_id ?? '', `${change.status}/${change.attempt}`);
    };
    let position: StreamPosition = new Map();
    const settle = settler(deps.knex, eventId, deps.logger, (stream, status, changes) => {
      // Postgres may be ahead of the topic (a change written, its record not read yet): send it first.
      for (const change of changes) if (told.get(change.dispatcher_id ?? '') !== `${change.status}/${change.attempt}`) tell(stream, change, position);
      stream.end('end', { event_id: eventId, status, deliveries: changes });
    });
    let timer: NodeJS.Timeout | undefined;
    await openStream(reply, deps, {
      // A change the client already has (its Postgres state was sent first, and the record arrives while
      // the stream settles; or a publish repeated after a crash) is not sent twice in a row.
      match: (change) =>
        change.kind === 'delivery' && change.event_id === eventId && told.get(change.dispatcher_id ?? '') !== `${change.status}/${change.attempt}`,
      ...(resume === undefined ? {} : { resume }),
      onMatch: (stream, change) => {
        if (change.kind === 'delivery') told.set(change.dispatcher_id ?? '', `${change.status}/${change.attempt}`);
        settle.check(stream);
      },
      afterCatchUp: async (stream, at) => {
        position = at;
        // The state as Postgres has it now; the changes read live from here on come after it.
        const history = await eventState(deps.knex, eventId);
        if (history !== undefined && resume === undefined) {
          for (const change of storedStatusChanges(history.event, history.deliveries)) tell(stream, change, at);
        }
        settle.check(stream);
        // A change whose record never reached the topic (a broker outage) still ends the stream.
        timer = setInterval(() => settle.check(stream), deps.options?.recheckMs ?? 5000);
        timer.unref();
      },
      onClose: () => clearInterval(timer),
    });
  });
}

function lastEventId(request: FastifyRequest): StreamPosition | undefined {
  const header = request.headers['last-event-id'];
  const text = Array.isArray(header) ? header[0] : header;
  return text === undefined || text === '' ? undefined : parsePosition(text);
}

interface StreamSpec {
  match: (change: StatusChange) => boolean;
  resume?: StreamPosition;
  /** After each change sent. */
  onMatch?: (stream: SseStream, change: StatusChange) => void;
  /** Once the resumed changes are sent, before live ones flow. */
  afterCatchUp?: (stream: SseStream, position: StreamPosition) => Promise<void>;
  onClose?: () => void;
}

/**
 * Takes the response over and streams: the changes after `resume` (memory, else read back from Kafka),
 * then live ones. Live changes arriving meanwhile wait in a bounded queue. Each change is sent once,
 * in order per partition, with the position after it as its id.
 */
async function openStream(reply: FastifyReply, deps: WatchDeps, spec: StreamSpec): Promise<void> {
  const { feed, streams, options } = deps;
  let caughtUp = false;
  const queued: FeedRecord[] = [];
  let position: StreamPosition = new Map();
  // `opened` is assigned below in this same synchronous block, before the feed can call the listener.
  const deliver = (record: FeedRecord): void => {
    const stream = opened;
    if (stream.closed) return;
    const at = position.get(record.partition);
    if (at !== undefined && record.offset < at) return;
    position.set(record.partition, record.offset + 1n);
    if (!spec.match(record.change)) return;
    if (stream.send('status', record.change, formatPosition(position))) spec.onMatch?.(stream, record.change);
  };
  const attachment = feed.attach((record) => {
    if (caughtUp) return deliver(record);
    queued.push(record);
    if (queued.length > MAX_QUEUED_WHILE_CATCHING_UP) opened.dropSlow();
  }, spec.resume);
  position = new Map(attachment.position);
  reply.hijack();
  const opened = new SseStream(reply.raw, {
    ...(options?.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
    ...(options?.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
    position: () => formatPosition(position),
    onClose: () => {
      attachment.detach();
      streams.delete(opened);
      spec.onClose?.();
    },
  });
  streams.add(opened);
  try {
    if (attachment.missing.size > 0) {
      try {
        const { records, gap } = await feed.readRange(attachment.missing);
        if (gap)
          opened.send('reset', {
            code: AdminErrors.EY_WATCH_RESUME_GAP.code,
            reason: 'Kafka no longer holds some status changes after this position (retention): re-read the current state',
          });
        for (const record of records) deliver(record);
      } catch (err) {
        deps.logger.warn({ err }, 'watch: reading back status changes for a resumed stream failed');
        opened.send('reset', {
          code: AdminErrors.EY_WATCH_RESUME_GAP.code,
          reason: `status changes after this position could not be read back (${err instanceof Error ? err.message : String(err)}): re-read the current state`,
        });
      }
    }
    for (const record of attachment.backlog) deliver(record);
    await spec.afterCatchUp?.(opened, position);
    caughtUp = true;
    for (const record of queued.splice(0)) deliver(record);
  } catch (err) {
    deps.logger.error({ err }, 'watch stream failed');
    opened.end('error', { code: AdminErrors.EY_INTERNAL.code, reason: 'the watch stream failed; reconnect to resume' });
  }
}

/** The event's row and its deliveries (not their attempts: this runs after every change of the event). */
async function eventState(knex: Knex, eventId: string): Promise<{ event: EventRecord; deliveries: DeliveryRecord[] } | undefined> {
  const event: EventRecord | undefined = await knex<EventRecord>('events')
    .where({ event_id: eventId })
    .first('event_id', 'app_id', 'topic_id', 'status', 'status_reason', 'updated_at');
  if (event === undefined) return undefined;
  const deliveries = await knex<DeliveryRecord>('deliveries').where({ event_id: eventId }).orderBy('dispatcher_id');
  return { event, deliveries };
}

/**
 * Ends an event's stream once Postgres says it is settled: every delivery final, or (no deliveries) an
 * event-level outcome that is. Checks never overlap; a request during one runs once it is done.
 */
function settler(
  knex: Knex,
  eventId: string,
  log: Logger,
  settled: (stream: SseStream, status: string, changes: DeliveryStatusChange[]) => void,
): { check(stream: SseStream): void } {
  let running = false;
  let again = false;
  const run = async (stream: SseStream): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        const history = await eventState(knex, eventId);
        if (history === undefined || stream.closed) continue;
        const changes: DeliveryStatusChange[] = storedStatusChanges(history.event, history.deliveries);
        if (changes.length > 0 && changes.every((c) => FINAL_CHANGE_STATUSES.has(c.status))) {
          settled(stream, history.event.status, changes);
          return;
        }
      } while (again && !stream.closed);
    } catch (err) {
      log.warn({ err, event_id: eventId }, 'watch: reading the event failed; trying again at the next change');
    } finally {
      running = false;
    }
  };
  return {
    check(stream) {
      if (stream.closed) return;
      if (running) {
        again = true;
        return;
      }
      void run(stream);
    },
  };
}

/** The OpenAPI paths of the watch routes; routes/openapi.ts spreads them into the document. */
export function watchOpenApiPaths(): Record<string, unknown> {
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const lastEventIdHeader = {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    schema: { type: 'string', example: '0:1532,1:1498,2:1611' },
    description:
      'Resume after this position: the `id` of the last event (or keep-alive) received. Every change after it is sent once, from memory or read back from Kafka; a `reset` event says when Kafka no longer had some (retention).',
  };
  const stream = (description: string) => ({
    description: `${description} Events: \`status\` (data: a StatusChange), \`end\` (data: {event_id, status, deliveries: StatusChange[]}), \`reset\` and \`dropped\` (data: {code, reason}). Each event's \`id\` is its position in eventyard.status (\`partition:offset\` pairs); keep-alive comments every EY_WATCH_KEEPALIVE_MS carry the position too.`,
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'SSE frames; the data of `status` events is a StatusChange' },
        'x-event-data': { $ref: '#/components/schemas/StatusChange' },
      },
    },
  });
  const errors = {
    '400': errorResponse('Invalid event_id, filter or Last-Event-ID; `ret.msg` names it'),
    '401': errorResponse('Missing or wrong admin token'),
    '403': errorResponse('The API key lacks events:read'),
    '503': errorResponse('Kafka unavailable (EY_KAFKA_UNAVAILABLE): the stream could not start; ask again'),
  };
  const filter = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description });
  return {
    '/v1/events/{event_id}/watch': {
      get: {
        summary: "Stream an event's delivery status changes until every delivery is final (Server-Sent Events)",
        description:
          'Starts with the current state from Postgres (one `status` per delivery, or one with dispatcher_id null for an event that reached no processor), then each change as it is recorded, and ends with `end` once every delivery is final (succeeded, dead, filtered, cancelled; or the event was no_subscribers/rejected). An event not routed yet is waited for.',
        parameters: [{ name: 'event_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Decimal event id' }, lastEventIdHeader],
        responses: { '200': stream('The stream.'), ...errors },
      },
    },
    '/v1/watch': {
      get: {
        summary: 'Stream every delivery status change matching a filter (Server-Sent Events), resumable',
        description:
          'Every change recorded from now on (or after Last-Event-ID) whose app, topic and processor match the given filters; processor state changes (kind "processor") are included when no app or topic filter is given. Never ends by itself.',
        parameters: [
          filter('app_id', 'Only this app'),
          filter('topic_id', 'Only this topic'),
          filter('dispatcher_id', 'Only this processor'),
          lastEventIdHeader,
        ],
        responses: { '200': stream('The stream.'), ...errors },
      },
    },
  };
}
