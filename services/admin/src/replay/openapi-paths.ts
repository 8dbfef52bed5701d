// The OpenAPI paths of replay, bulk replay jobs, redrive and processor pause/resume, built from the very
// schemas those routes validate with; routes/openapi.ts spreads them into the document.
import { redriveBodySchema } from '../routes/processor-actions.ts';
import { bulkReplayBodySchema, replayEventBodySchema } from '../routes/replay.ts';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string, properties: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['ret'], properties: { ret: { $ref: '#/components/schemas/Ret' }, ...properties } } } },
});
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const body = (schema: unknown, required = true) => ({ required, content: { 'application/json': { schema } } });
const common = {
  '400': errorResponse('Invalid input; `ret.msg` names the field'),
  '401': errorResponse('Missing or wrong admin token (when EY_ADMIN_TOKEN is set)'),
  '500': errorResponse('Internal error'),
  '503': errorResponse('Kafka unavailable (EY_KAFKA_UNAVAILABLE); nothing was changed, ask again'),
};

const replayJob = {
  type: 'object',
  properties: {
    replay_id: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: ['query', 'redrive'] },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
    query: { type: 'object' },
    original_targets: { type: 'boolean' },
    rate_per_s: { type: 'integer' },
    matched: { type: 'integer', description: 'Events matching when the job was created (capped at limit); later events never join' },
    replayed: { type: 'integer', description: 'Events that got at least one delivery task' },
    skipped: { type: 'integer', description: 'Events no processor took (stopped, filtered out, unsubscribed)' },
    failed: { type: 'integer', description: 'Events that could not be replayed (payload pruned by retention)' },
    cursor: { type: ['string', 'null'], description: 'Last event_id done' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
    error: { type: ['string', 'null'] },
  },
};
const accepted = ok('Job created; follow it with GET /v1/replays/{replay_id}', { replay_id: { type: 'string', format: 'uuid' }, matched: { type: 'integer' } });
const dryRun = ok('dry_run: how many events match; nothing changed', { matched: { type: 'integer' } });
const processorView = { processor_conf_info: { $ref: '#/components/schemas/ProcessorConfInfo' } };
const flagBody = body(
  {
    type: 'object',
    additionalProperties: false,
    properties: { version: { type: 'integer', description: 'Change only while the stored version is this one' } },
  },
  false,
);

export function replayOpenApiPaths(): Record<string, unknown> {
  return {
    '/v1/events/{event_id}/replay': {
      post: {
        summary:
          'Replay one event now as a manual attempt (retry_times 0): by default routing runs again against the current processors and their filters; `original_targets` replays to the processors it first reached; `dispatcher_id` to that one only',
        parameters: [pathParam('event_id', 'Decimal 64-bit event id')],
        requestBody: body(replayEventBodySchema, false),
        responses: {
          '200': ok('Replayed', {
            event_id: { type: 'string' },
            replayed: { type: 'array', items: { type: 'string' }, description: 'dispatcher_ids that got a delivery task' },
            skipped: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  dispatcher_id: { type: 'string' },
                  reason: { type: 'string', enum: ['stopped', 'filtered_by_tag', 'filtered_by_filter', 'invalid_filter', 'deleted', 'not_subscribed'] },
                },
              },
            },
          }),
          '404': errorResponse('No such event, or no such processor'),
          '410': errorResponse('EY_PAYLOAD_PRUNED: retention removed the payload'),
          ...common,
        },
      },
    },
    '/v1/replay': {
      post: {
        summary:
          'Bulk replay by query: a durable job working through the matching events in event_id order at rate_per_s (default 100); an empty query is refused',
        requestBody: body(bulkReplayBodySchema),
        responses: { '200': dryRun, '202': accepted, '404': errorResponse('query.dispatcher_id names no processor'), ...common },
      },
    },
    '/v1/replays': {
      get: {
        summary: 'Replay and redrive jobs, newest first',
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
            description: 'Only jobs in this state',
          },
          { name: 'limit', in: 'query', required: false, schema: { type: 'string' }, description: 'At most this many (default 100)' },
        ],
        responses: { '200': ok('The newest jobs', { replays: { type: 'array', items: replayJob } }), ...common },
      },
    },
    '/v1/replays/{replay_id}': {
      get: {
        summary: "A replay job's progress",
        parameters: [pathParam('replay_id', 'Job id from POST /v1/replay or redrive')],
        responses: { '200': ok('Found', { replay: replayJob }), '404': errorResponse('No such job'), ...common },
      },
    },
    '/v1/replays/{replay_id}/cancel': {
      post: {
        summary: 'Cancel a running job (the runner stops after its current batch); a finished job is answered as it is',
        parameters: [pathParam('replay_id', 'Job id')],
        responses: { '200': ok('Cancelled', { replay: replayJob }), '404': errorResponse('No such job'), ...common },
      },
    },
    '/v1/processors/{dispatcher_id}/redrive': {
      post: {
        summary:
          'Dead-letter redrive: every `dead` delivery of the processor (events created in [since, until)) gets a new manual attempt, through a replay job',
        parameters: [pathParam('dispatcher_id', 'Processor id')],
        requestBody: body(redriveBodySchema, false),
        responses: { '200': dryRun, '202': accepted, '404': errorResponse('No such processor'), ...common },
      },
    },
    '/v1/processors/{dispatcher_id}/pause': {
      post: {
        summary:
          "Set the processor's `paused` flag: the dispatcher stops consuming its delivery topic, deliveries wait there until resume (`is_stop` is left alone)",
        parameters: [pathParam('dispatcher_id', 'Processor id')],
        requestBody: flagBody,
        responses: {
          '200': ok('Paused; the config with its new version', processorView),
          '404': errorResponse('No such processor'),
          '409': errorResponse('Stale version'),
          ...common,
        },
      },
    },
    '/v1/processors/{dispatcher_id}/resume': {
      post: {
        summary: "Clear the processor's `paused` flag: the dispatcher consumes its delivery topic again",
        parameters: [pathParam('dispatcher_id', 'Processor id')],
        requestBody: flagBody,
        responses: {
          '200': ok('Resumed; the config with its new version', processorView),
          '404': errorResponse('No such processor'),
          '409': errorResponse('Stale version'),
          ...common,
        },
      },
    },
  };
}
