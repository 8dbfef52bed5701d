// Endpoint health of processors, as the dispatchers' circuit breakers recorded it (@eventyard/db's
// processor-health): `GET /v1/processors/:dispatcher_id/health` (state aggregated over the live
// dispatcher instances, each instance's breaker, the automatic pause if any, and the latest
// transitions), and the `health` summary that GET /v1/processor/:id and the list carry.
import { breakerTransitions, getProcessor, processorHealth, type Knex, type ProcessorHealth } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { AdminErrors } from '../error-codes.ts';
import { HttpError } from '../http/api-error.ts';
import { OK, parseLimit } from './route-values.ts';

const time = { type: ['string', 'null'], format: 'date-time' } as const;

/** OpenAPI schema of a processor's `health`. */
export const processorHealthSchema = {
  type: 'object',
  description:
    "A processor's endpoint health. Each dispatcher instance keeps its own breaker (it sees only its partitions); `state` is the most severe among the live instances (open > half_open > closed), `instances` shows each",
  properties: {
    state: {
      type: 'string',
      enum: ['closed', 'open', 'half_open'],
      description: 'closed: delivering; open: deliveries wait in the delivery topic until a probe succeeds; half_open: one probe delivery running',
    },
    since: { ...time, description: 'When the shown state began; null = no transition recorded' },
    failing_since: { ...time, description: 'First failure of the current run without a success' },
    last_failure_at: time,
    last_failure: { type: ['string', 'null'], description: 'Error code and message of the latest failure' },
    next_probe_at: { ...time, description: 'Earliest next half-open probe among open breakers' },
    auto_pause: {
      type: ['object', 'null'],
      description: 'Set while the processor stays paused by a dispatcher for failing longer than circuit_breaker.auto_pause_after_ms; resuming it clears this',
      properties: { paused_at: { type: 'string', format: 'date-time' }, reason: { type: 'string' }, instance_id: { type: 'string' } },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          instance_id: { type: 'string' },
          state: { type: 'string', enum: ['closed', 'open', 'half_open'] },
          since: { type: 'string', format: 'date-time' },
          failing_since: time,
          last_failure_at: time,
          last_failure: { type: ['string', 'null'] },
          next_probe_at: time,
          consecutive_failures: { type: 'integer' },
          reason: { type: ['string', 'null'], description: 'Why the latest transition happened' },
          seen_at: { type: 'string', format: 'date-time', description: 'Last heartbeat of the instance' },
        },
      },
    },
  },
} as const;

/** The health of each processor of a page (one query each for breakers and pauses). */
export function healthOf(knex: Knex, dispatcherIds: readonly string[]): Promise<Map<string, ProcessorHealth>> {
  return processorHealth(knex, dispatcherIds);
}

export function registerProcessorHealthRoutes(app: FastifyInstance, deps: { knex: Knex }): void {
  const { knex } = deps;
  app.get<{ Params: { dispatcher_id: string }; Querystring: { limit?: string } }>(
    '/v1/processors/:dispatcher_id/health',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string' } } } } },
    async (request) => {
      const { dispatcher_id: dispatcherId } = request.params;
      // Parsed before any query: a bad limit thrown between the two queries below once left the first
      // running unawaited after the 400 (its failure then an unhandled rejection).
      const limit = request.query.limit === undefined ? 50 : parseLimit(request.query.limit);
      const processor = await getProcessor(knex, dispatcherId);
      if (processor === undefined) throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${dispatcherId}" not found`);
      const [health, transitions] = await Promise.all([healthOf(knex, [dispatcherId]), breakerTransitions(knex, dispatcherId, limit)]);
      return { ret: OK, dispatcher_id: dispatcherId, paused: processor.paused, health: health.get(dispatcherId), transitions };
    },
  );
}

export function processorHealthOpenApiPaths(
  ok: (description: string, properties?: Record<string, unknown>) => unknown,
  common: Record<string, unknown>,
): Record<string, unknown> {
  return {
    '/v1/processors/{dispatcher_id}/health': {
      get: {
        summary: "A processor's endpoint health: circuit breaker state per dispatcher instance, automatic pause, latest transitions",
        parameters: [
          { name: 'dispatcher_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Processor id' },
          { name: 'limit', in: 'query', required: false, schema: { type: 'string' }, description: 'Transitions shown, newest first, 1-1000 (default 50)' },
        ],
        responses: {
          '200': ok('Health', {
            dispatcher_id: { type: 'string' },
            paused: { type: 'boolean' },
            health: { $ref: '#/components/schemas/ProcessorHealth' },
            transitions: {
              type: 'array',
              description: 'Newest first; kept 30 days',
              items: {
                type: 'object',
                properties: {
                  instance_id: { type: 'string' },
                  from_state: { type: 'string' },
                  to_state: { type: 'string' },
                  at: { type: 'string', format: 'date-time' },
                  reason: { type: ['string', 'null'] },
                },
              },
            },
          }),
          '404': { description: 'No such processor', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          ...common,
        },
      },
    },
  };
}
