// The OpenAPI paths of the history lists (GET /v1/events, GET /v1/deliveries) and processor stats;
// routes/openapi.ts spreads them into the document. Parameters mirror the routes' query schemas.
import { DELIVERY_STATUSES } from '@eventyard/db';
import { MAX_ID_LIST } from './query-params.ts';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string, properties: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['ret'], properties: { ret: { $ref: '#/components/schemas/Ret' }, ...properties } } } },
});
const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const common = {
  '400': errorResponse('Invalid input (unknown parameter, wrong type, bad time, bad id list, limit out of 1-1000); `ret.msg` names the parameter'),
  '401': errorResponse('Missing or wrong admin token (when EY_ADMIN_TOKEN is set)'),
  '500': errorResponse('Internal error'),
};
const statuses = DELIVERY_STATUSES.join(', ');
const time = (name: string, column: string, op: string) =>
  query(name, `${column} ${op} this time: RFC 3339 with a zone (2026-01-31T12:00:00Z) or epoch milliseconds`);
const page = (idName: string) => [
  query('event_id', `Comma-separated event ids (at most ${MAX_ID_LIST})`),
  query('cursor', `next_cursor of the previous page (the last ${idName} of that page)`),
  query('limit', 'Page size, 1-1000 (default 100)'),
];
const deliveryMatch = (prefix: string) => [
  query('dispatcher_id', `${prefix}processor`),
  query('outcome', `${prefix}outcome: success = succeeded, failure = failed or dead`, { type: 'string', enum: ['success', 'failure'] }),
  query('retry_source', `${prefix}retry source: manual = has a manual attempt (replay, redrive), auto = has none`, {
    type: 'string',
    enum: ['auto', 'manual'],
  }),
];
const nullableNumber = { type: ['number', 'null'] };

export function historyOpenApiPaths(): Record<string, unknown> {
  return {
    '/v1/events': {
      get: {
        summary: 'List events newest first (keyset on event_id), optionally only those with a delivery matching processor/status/outcome/retry source',
        parameters: [
          query('app_id', 'Only this app'),
          query('topic_id', 'Only this topic'),
          query('status', 'events.status: routed | filtered | no_subscribers | scheduled | cancelled | …'),
          time('since', 'events.created_at', '>='),
          time('until', 'events.created_at', '<'),
          query('delivery_status', `Events with a delivery in one of these statuses (comma list of ${statuses})`),
          ...deliveryMatch('Events with a delivery of this '),
          ...page('event_id'),
        ],
        responses: {
          '200': ok('A page', {
            events: {
              type: 'array',
              items: {
                type: 'object',
                description:
                  'event_id, app_id, topic_id, status, trigger_type, source, broadcast, ordering_key, payload_size, payload_pruned_at, next_due_at, created_at, updated_at (no payload: GET /v1/events/{event_id} has it)',
              },
            },
            next_cursor: { type: ['string', 'null'], description: 'Pass as cursor for the next (older) page; null on the last page' },
          }),
          ...common,
        },
      },
    },
    '/v1/deliveries': {
      get: {
        summary: 'List deliveries newest first (keyset on the delivery id), each with its attempts',
        parameters: [
          query('app_id', 'Only this app'),
          query('topic_id', 'Only this topic'),
          query('status', `Comma list of ${statuses}`),
          time('since', 'deliveries.created_at', '>='),
          time('until', 'deliveries.created_at', '<'),
          ...deliveryMatch('Only this '),
          ...page('delivery_id'),
        ],
        responses: {
          '200': ok('A page', {
            deliveries: {
              type: 'array',
              items: {
                type: 'object',
                description:
                  'delivery_id, event_id, app_id, topic_id, then the delivery exactly as in GET /v1/events/{event_id} (status, attempt_count, retry_source, next_due_at, last error, attempts [...])',
              },
            },
            next_cursor: { type: ['string', 'null'] },
          }),
          ...common,
        },
      },
    },
    '/v1/processors/{dispatcher_id}/stats': {
      get: {
        summary: "A processor's deliveries by status, attempts by outcome, attempt latency percentiles, the broadcast subset, and its consumer lag",
        parameters: [
          { name: 'dispatcher_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Processor id' },
          query('window', 'Duration ending now: 90s, 15m, 1h (default), 24h, 7d; at most 30d'),
        ],
        responses: {
          '200': ok('Stats', {
            window: { type: 'string' },
            window_s: { type: 'number' },
            deliveries: { type: 'object', description: 'Deliveries last updated in the window, by current status (every status, 0 when none), and total' },
            attempts: { type: 'object', description: 'Attempts started in the window, by outcome as recorded (success, failure, timeout, …), and total' },
            latency_ms: { type: 'object', properties: { p50: nullableNumber, p90: nullableNumber, p99: nullableNumber, max: nullableNumber } },
            broadcast: {
              type: 'object',
              properties: {
                deliveries: { type: 'integer' },
                succeeded: { type: 'integer' },
                delivered_per_s: { type: 'number' },
                latency_ms: { type: 'object', properties: { p50: nullableNumber, p99: nullableNumber } },
              },
            },
            consumer_lag: {
              type: ['object', 'null'],
              description: 'null when Kafka did not answer within 3 s (then consumer_lag_error says why)',
              properties: {
                group: { type: 'string' },
                topic: { type: 'string' },
                total: { type: 'integer' },
                partitions: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      partition: { type: 'integer' },
                      end: { type: 'integer' },
                      committed: { type: ['integer', 'null'] },
                      lag: { type: 'integer' },
                    },
                  },
                },
              },
            },
            consumer_lag_error: { type: 'string' },
          }),
          '404': errorResponse('No such processor'),
          ...common,
        },
      },
    },
    '/v1/processors/{dispatcher_id}/timeline': {
      get: {
        summary:
          "A processor's attempts over the window in equal buckets (what the console's charts draw): successes, failures and latency percentiles per bucket",
        parameters: [
          { name: 'dispatcher_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Processor id' },
          query('window', 'Duration ending now: 90s, 15m, 1h (default), 24h, 7d; at most 30d'),
          query('buckets', 'How many buckets, 1 to 240 (default 30)'),
        ],
        responses: {
          '200': ok('Buckets, oldest first; the last is the current, partial one', {
            window: { type: 'string' },
            bucket_ms: { type: 'integer' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  at: { type: 'string', format: 'date-time', description: 'Start of the bucket' },
                  success: { type: 'integer' },
                  failure: { type: 'integer', description: 'Every other finished outcome (failure, timeout, cancel, …)' },
                  latency_p50_ms: nullableNumber,
                  latency_p99_ms: nullableNumber,
                },
              },
            },
          }),
          '404': errorResponse('No such processor'),
          ...common,
        },
      },
    },
  };
}
