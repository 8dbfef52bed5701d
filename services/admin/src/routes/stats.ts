// `GET /v1/processors/:dispatcher_id/stats?window=1h`: one processor's deliveries by status, attempts
// by outcome and attempt latency percentiles over the window (Postgres), the same for broadcast events,
// and its consumer group's lag on its delivery topic (Kafka). Kafka being unreachable costs only the
// lag: the reply still carries the Postgres numbers, with `consumer_lag: null` and the reason.
// `GET /v1/processors/:dispatcher_id/timeline?window=1h&buckets=30`: the same window's attempts cut into
// buckets (successes, failures, latency p50/p99 each), what the console draws its charts from.
import { attemptTimeline, getProcessor, processorHistoryStats, type Knex } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { readConsumerLag, type ConsumerLag } from '../history/consumer-lag.ts';
import { parseWindow } from '../history/query-params.ts';
import type { KafkaLink } from '../kafka/kafka-link.ts';
import { OK } from './route-values.ts';
import { AdminErrors } from '../error-codes.ts';

export interface StatsRouteDeps {
  knex: Knex;
  kafka: KafkaLink;
  /** How long the lag may take before the reply goes without it. @default 3000 */
  lagTimeoutMs?: number;
}

export function registerStatsRoutes(app: FastifyInstance, deps: StatsRouteDeps): void {
  const { knex, kafka } = deps;

  app.get<{ Params: { dispatcher_id: string }; Querystring: { window?: string } }>(
    '/v1/processors/:dispatcher_id/stats',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { window: { type: 'string' } } } } },
    async (request) => {
      const { dispatcher_id: dispatcherId } = request.params;
      const window = parseWindow(request.query.window);
      if ((await getProcessor(knex, dispatcherId)) === undefined)
        throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${dispatcherId}" not found`);
      // Kafka is asked while Postgres counts; neither waits for the other.
      const lag = readConsumerLag(kafka, dispatcherId, deps.lagTimeoutMs).then(
        (value): { consumer_lag: ConsumerLag } => ({ consumer_lag: value }),
        (err: unknown): { consumer_lag: null; consumer_lag_error: string } => {
          const message = err instanceof Error ? err.message : String(err);
          request.log.warn({ err, dispatcher_id: dispatcherId }, 'consumer lag unavailable');
          return { consumer_lag: null, consumer_lag_error: message };
        },
      );
      const [stats, lagPart] = await Promise.all([processorHistoryStats(knex, { dispatcherId, windowMs: window.ms }), lag]);
      const windowS = window.ms / 1000;
      return {
        ret: OK,
        dispatcher_id: dispatcherId,
        window: window.text,
        window_s: windowS,
        deliveries: stats.deliveries,
        attempts: stats.attempts,
        latency_ms: stats.latency_ms,
        broadcast: {
          deliveries: stats.broadcast.deliveries,
          succeeded: stats.broadcast.succeeded,
          delivered_per_s: stats.broadcast.succeeded / windowS,
          latency_ms: stats.broadcast.latency_ms,
        },
        ...lagPart,
      };
    },
  );

  app.get<{ Params: { dispatcher_id: string }; Querystring: { window?: string; buckets?: string } }>(
    '/v1/processors/:dispatcher_id/timeline',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { window: { type: 'string' }, buckets: { type: 'string', pattern: '^[0-9]{1,3}$' } },
        },
      },
    },
    async (request) => {
      const { dispatcher_id: dispatcherId } = request.params;
      const window = parseWindow(request.query.window);
      const buckets = request.query.buckets === undefined ? DEFAULT_BUCKETS : Number(request.query.buckets);
      if (buckets < 1 || buckets > MAX_BUCKETS) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `buckets must be from 1 to ${MAX_BUCKETS}`);
      if ((await getProcessor(knex, dispatcherId)) === undefined)
        throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${dispatcherId}" not found`);
      const timeline = await attemptTimeline(knex, { dispatcherId, windowMs: window.ms, buckets });
      return { ret: OK, dispatcher_id: dispatcherId, window: window.text, bucket_ms: Math.ceil(window.ms / buckets), buckets: timeline };
    },
  );
}

const DEFAULT_BUCKETS = 30;
const MAX_BUCKETS = 240;
