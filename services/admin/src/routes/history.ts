// Delivery-history lists: `GET /v1/events` (event summaries, optionally only events with a delivery
// matching processor / status / outcome / retry source) and `GET /v1/deliveries` (deliveries with their
// attempts, shown as GET /v1/events/:event_id shows them). Newest first, keyset-paged on the id: the
// cursor is the last id of the page, so paging returns every row once while new events keep arriving.
import { assertValidDispatcherId } from '@eventyard/core';
import { queryDeliveries, queryEvents, type DeliveryMatch, type DeliveryOutcome, type Knex, type RetrySource } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { deliveryView } from '../events/event-view.ts';
import { parseId, parseIdList, parseStatusList, parseTimeRange } from '../history/query-params.ts';
import { OK, parseLimit } from './route-values.ts';

const text = { type: 'string' } as const;
const deliveryMatchParams = {
  dispatcher_id: text,
  outcome: { type: 'string', enum: ['success', 'failure'] },
  retry_source: { type: 'string', enum: ['auto', 'manual'] },
} as const;
const pageParams = { app_id: text, topic_id: text, since: text, until: text, event_id: text, cursor: text, limit: text } as const;

interface CommonQuery {
  app_id?: string;
  topic_id?: string;
  since?: string;
  until?: string;
  event_id?: string;
  cursor?: string;
  limit?: string;
  dispatcher_id?: string;
  outcome?: DeliveryOutcome;
  retry_source?: RetrySource;
}

/** The filters both lists share, parsed; `statuses` comes from each route's own parameter. */
function commonFilters(query: CommonQuery, statusParam: string, statusValue: string | undefined) {
  if (query.dispatcher_id !== undefined) assertValidDispatcherId(query.dispatcher_id);
  const statuses = parseStatusList(statusParam, statusValue);
  const eventIds = parseIdList('event_id', query.event_id);
  const before = parseId('cursor', query.cursor);
  const match: DeliveryMatch = {
    ...(query.dispatcher_id === undefined ? {} : { dispatcher_id: query.dispatcher_id }),
    ...(statuses === undefined ? {} : { statuses }),
    ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    ...(query.retry_source === undefined ? {} : { retry_source: query.retry_source }),
  };
  return {
    ...match,
    ...(query.app_id === undefined ? {} : { app_id: query.app_id }),
    ...(query.topic_id === undefined ? {} : { topic_id: query.topic_id }),
    ...parseTimeRange(query.since, query.until),
    ...(eventIds === undefined ? {} : { event_ids: eventIds }),
    ...(before === undefined ? {} : { before }),
  };
}

export function registerHistoryRoutes(app: FastifyInstance, deps: { knex: Knex }): void {
  const { knex } = deps;

  app.get<{ Querystring: CommonQuery & { status?: string; delivery_status?: string } }>(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageParams, ...deliveryMatchParams, status: text, delivery_status: text },
        },
      },
    },
    async (request) => {
      const limit = parseLimit(request.query.limit);
      const { status } = request.query;
      const filters = commonFilters(request.query, 'delivery_status', request.query.delivery_status);
      // One extra row says whether another page exists without a count query.
      const rows = await queryEvents(knex, { ...filters, ...(status === undefined ? {} : { status }), limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { ret: OK, events: page, next_cursor: rows.length > limit ? (page.at(-1)?.event_id ?? null) : null };
    },
  );

  app.get<{ Querystring: CommonQuery & { status?: string } }>(
    '/v1/deliveries',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageParams, ...deliveryMatchParams, status: text } },
      },
    },
    async (request) => {
      const limit = parseLimit(request.query.limit);
      const filters = commonFilters(request.query, 'status', request.query.status);
      const rows = await queryDeliveries(knex, { ...filters, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        ret: OK,
        deliveries: page.map((d) => ({
          delivery_id: d.id,
          event_id: d.event_id,
          app_id: d.app_id,
          topic_id: d.topic_id,
          ...deliveryView(d, d.attempts, undefined),
        })),
        next_cursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );
}
